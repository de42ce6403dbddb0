package manifest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

// FuzzInterpolate: any manifest text with any variable values (given ones, nested ones, and a
// vars file) interpolates or fails with one line naming the manifest or the vars file, never
// panicking or hanging; a variable whose value holds ((refs)) is never expanded again.
func FuzzInterpolate(f *testing.F) {
	f.Fuzz(func(t *testing.T, template, value, varsFile string) {
		path := filepath.Join(t.TempDir(), "vars.yml")
		if err := os.WriteFile(path, []byte(varsFile), 0o644); err != nil {
			t.Fatal(err)
		}
		vars := map[string]any{"v": value, "n": 3, "m": map[string]any{"k": value, "l": []any{value, 1.5, true, nil}}}
		m, err := manifest.Parse("fuzz.yml", []byte(template), vars, []string{path})
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.yml: ") && !strings.HasPrefix(msg, "vars file "+path) {
				t.Fatalf("error names neither the manifest nor the vars file: %q", msg)
			}
			return
		}
		for _, app := range m.Apps {
			if _, err := app.Render(app.Name, app.Routes, app.Env); err != nil {
				t.Fatalf("render %q: %v", app.Name, err)
			}
		}
	})
}
