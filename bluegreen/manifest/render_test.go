package manifest_test

import (
	"gopkg.in/yaml.v3"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

var _ = Describe("Render", func() {
	const full = `
applications:
- name: web
  path: ./build
  memory: 1G
  instances: 2
  random-route: true
  routes:
  - route: web.example.com
  - route: grpc.example.com
    protocol: http2
  env: {OLD: value}
  services: [db]
  health-check-type: http
  health-check-http-endpoint: /ready
  processes:
  - type: worker
    command: ./work
  metadata:
    labels: {team: core}
    annotations: {note: keep me}
  future-key: [1, 2]
`

	// decodeApp renders and reads the result back as plain data.
	decodeApp := func(out []byte) map[string]any {
		GinkgoHelper()
		var doc struct {
			Applications []map[string]any `yaml:"applications"`
		}
		Expect(yaml.Unmarshal(out, &doc)).To(Succeed())
		Expect(doc.Applications).To(HaveLen(1))
		return doc.Applications[0]
	}

	It("replaces name, routes and env, drops path and keeps every other key", func() {
		out, err := only(full, nil).Render("web-candidate", []string{"web-candidate.example.com", "grpc.example.com"}, map[string]string{"B": "2", "A": "1"})
		Expect(err).NotTo(HaveOccurred())
		app := decodeApp(out)
		Expect(app).To(Equal(map[string]any{
			"name":      "web-candidate",
			"memory":    "1G",
			"instances": 2,
			"routes": []any{
				map[string]any{"route": "web-candidate.example.com"},
				map[string]any{"route": "grpc.example.com", "protocol": "http2"},
			},
			"env":                        map[string]any{"A": "1", "B": "2"},
			"services":                   []any{"db"},
			"health-check-type":          "http",
			"health-check-http-endpoint": "/ready",
			"processes":                  []any{map[string]any{"type": "worker", "command": "./work"}},
			"metadata": map[string]any{
				"labels":      map[string]any{"team": "core"},
				"annotations": map[string]any{"note": "keep me"},
			},
			"future-key": []any{1, 2},
		}))
		Expect(string(out)).To(HavePrefix("applications:\n  - name: web-candidate\n    memory: 1G\n"), "the user's key order is kept")
	})

	It("writes no-route and no routes key for an empty route list", func() {
		out, err := only(full, nil).Render("web", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		app := decodeApp(out)
		Expect(app).To(HaveKeyWithValue("no-route", true))
		Expect(app).NotTo(HaveKey("routes"))
		Expect(app).NotTo(HaveKey("random-route"))
		Expect(app).To(HaveKeyWithValue("env", map[string]any{"OLD": "value"}), "env is kept when none is given")
	})

	It("drops the user's no-route and legacy route keys when routes are given", func() {
		app := only("applications:\n- name: web\n  no-route: true\n  host: h\n  domains: [d]\n  default-route: true\n", nil)
		out, err := app.Render("web", []string{"a.example.com"}, map[string]string{})
		Expect(err).NotTo(HaveOccurred())
		Expect(decodeApp(out)).To(Equal(map[string]any{
			"name":   "web",
			"routes": []any{map[string]any{"route": "a.example.com"}},
			"env":    map[string]any{},
		}))
	})

	It("resolves anchors, aliases and merge keys, which the Cloud Controller refuses", func() {
		app := only(`
base: &base {memory: 512M, env: {A: "1"}}
applications:
- name: web
  <<: *base
  memory: 1G
  metadata: {labels: &l {x: y}, annotations: *l}
`, nil)
		out, err := app.Render("web", []string{"a.example.com"}, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(out)).NotTo(ContainSubstring("&"))
		Expect(string(out)).NotTo(ContainSubstring("*"))
		Expect(string(out)).NotTo(ContainSubstring("<<"))
		Expect(decodeApp(out)).To(HaveKeyWithValue("memory", "1G"), "an explicit key wins over a merged one")
		Expect(decodeApp(out)).To(HaveKeyWithValue("env", map[string]any{"A": "1"}))
	})

	It("quotes strings that would otherwise read as other types", func() {
		out, err := only("applications:\n- name: web\n", nil).Render("123", []string{"true"}, map[string]string{"N": "8080", "B": "yes"})
		Expect(err).NotTo(HaveOccurred())
		app := decodeApp(out)
		Expect(app["name"]).To(Equal("123"))
		Expect(app["env"]).To(Equal(map[string]any{"N": "8080", "B": "yes"}))
		Expect(string(out)).To(ContainSubstring(`B: "yes"`), "YAML 1.1 readers such as the Cloud Controller's would see a boolean")
	})

	It("renders what Parse reads back", func() {
		app := only(full, nil)
		out, err := app.Render("web-2", []string{"x.example.com"}, map[string]string{"K": "v"})
		Expect(err).NotTo(HaveOccurred())
		again := only(string(out), nil)
		Expect(again.Name).To(Equal("web-2"))
		Expect(again.Routes).To(Equal([]string{"x.example.com"}))
		Expect(again.Env).To(Equal(map[string]string{"K": "v"}))
		Expect(*again.MemoryMB).To(Equal(1024))
		Expect(again.Path).To(BeEmpty())
	})

	It("leaves the app as parsed", func() {
		app := only(full, nil)
		_, err := app.Render("other", nil, map[string]string{"X": "y"})
		Expect(err).NotTo(HaveOccurred())
		out, err := app.Render("web", []string{"web.example.com"}, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(decodeApp(out)).To(HaveKeyWithValue("env", map[string]any{"OLD": "value"}))
	})

	It("refuses an empty name or route", func() {
		app := only(full, nil)
		_, err := app.Render(" ", nil, nil)
		Expect(err).To(MatchError("rendering manifest: app name is empty"))
		_, err = app.Render("web", []string{"a.example.com", ""}, nil)
		Expect(err).To(MatchError(`rendering manifest for "web": route 1 is empty`))
		_, err = (&manifest.App{}).Render("bare", nil, nil)
		Expect(err).NotTo(HaveOccurred())
	})
})
