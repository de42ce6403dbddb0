package manifest_test

import (
	"testing"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

// FuzzParse checks that Parse neither panics nor hangs on any input, and that what it accepts
// renders to a manifest it accepts again with the same app.
func FuzzParse(f *testing.F) {
	f.Add([]byte("applications:\n- name: web\n  memory: ((mem))\n  env: {A: x-((n))}\n"))
	f.Add([]byte("a: &a {memory: 1G}\napplications:\n- name: ((m.k))\n  <<: *a\n"))
	vars := map[string]any{"mem": "256M", "n": 3, "m": map[string]any{"k": "v", "l": []any{1, "two"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse("fuzz.yml", data, vars, nil)
		if err != nil {
			return
		}
		for _, app := range m.Apps {
			out, err := app.Render(app.Name, app.Routes, app.Env)
			if err != nil {
				t.Fatalf("render %q: %v", app.Name, err)
			}
			again, err := manifest.Parse("rendered.yml", out, nil, nil)
			if err != nil {
				t.Fatalf("rendered manifest does not parse: %v\n%s", err, out)
			}
			if again.Apps[0].Name != app.Name {
				t.Fatalf("name %q came back as %q", app.Name, again.Apps[0].Name)
			}
		}
	})
}
