package manifest_test

import (
	"errors"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

var _ = Describe("interpolation", func() {
	var dir string

	BeforeEach(func() { dir = GinkgoT().TempDir() })

	varsFile := func(name, content string) string {
		GinkgoHelper()
		p := filepath.Join(dir, name)
		Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
		return p
	}

	It("keeps the type of a variable that is a whole value", func() {
		app := only(`
applications:
- name: web
  instances: ((instances))
  memory: ((memory))
  metadata:
    labels: ((labels))
  env:
    TAG: ((tag))
`, map[string]any{"instances": float64(3), "memory": "1G", "labels": map[string]any{"team": "core"}, "tag": "8080"})
		Expect(*app.Instances).To(Equal(3))
		Expect(*app.MemoryMB).To(Equal(1024))
		out, err := app.Render("web", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(out)).To(ContainSubstring("instances: 3\n"))
		Expect(string(out)).To(ContainSubstring("labels:\n        team: core\n"))
		Expect(string(out)).To(ContainSubstring(`TAG: "8080"`), "a string that looks like a number stays a string")
	})

	It("stringifies variables inside a longer string, in values and in keys", func() {
		app := only(`
applications:
- name: ((name))-app
  command: ./run --port ((port)) --debug=((debug))
  routes:
  - route: ((host)).((domain))
  env:
    ((prefix))_MODE: fast
`, map[string]any{"name": "shop", "port": 8080, "debug": true, "host": "www", "domain": "example.com", "prefix": "SHOP"})
		Expect(app.Name).To(Equal("shop-app"))
		Expect(*app.Command).To(Equal("./run --port 8080 --debug=true"))
		Expect(app.Routes).To(Equal([]string{"www.example.com"}))
		Expect(app.Env).To(Equal(map[string]string{"SHOP_MODE": "fast"}))
	})

	It("does not break the YAML with values holding YAML syntax, nor interpolate values again", func() {
		app := only(`
applications:
- name: web
  env:
    A: ((a))
    B: prefix ((a))
`, map[string]any{"a": "x: y\n- ((b)) # not a comment"})
		Expect(app.Env).To(Equal(map[string]string{
			"A": "x: y\n- ((b)) # not a comment",
			"B": "prefix x: y\n- ((b)) # not a comment",
		}))
	})

	It("reads dotted paths from nested maps of vars files, and accepts ((!name))", func() {
		f := varsFile("vars.yml", "db:\n  creds:\n    user: admin\n  port: 5432\n")
		m, err := manifest.Parse("manifest.yml", []byte(`
applications:
- name: web
  env:
    USER: ((db.creds.user))
    PORT: ((!db.port))
`), nil, []string{f})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Apps[0].Env).To(Equal(map[string]string{"USER": "admin", "PORT": "5432"}))
	})

	It("takes vars over later vars files over earlier ones, variable by variable", func() {
		first := varsFile("first.yml", "a: first\nb: first\nc: first\n")
		second := varsFile("second.yml", "b: second\nc: second\n")
		m, err := manifest.Parse("manifest.yml", []byte(`
applications:
- name: web
  env: {A: ((a)), B: ((b)), C: ((c))}
`), map[string]any{"c": "given"}, []string{first, second})
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Apps[0].Env).To(Equal(map[string]string{"A": "first", "B": "second", "C": "given"}))
	})

	It("overrides a variable as a whole: maps from several sources are not merged", func() {
		first := varsFile("first.yml", "db: {host: h1, port: 1}\n")
		second := varsFile("second.yml", "db: {host: h2}\n")
		msg := parseErr("applications:\n- name: web\n  env: {H: ((db.host)), P: ((db.port))}\n", nil, first, second)
		Expect(msg).To(HaveSuffix("Expected to find variables: db.port"))
	})

	It("lists every missing variable once, sorted, with the manifest name and the cf CLI's words", func() {
		_, err := manifest.Parse("manifest.yml", []byte(`
applications:
- name: ((zeta))
  env:
    A: ((alpha))
    B: x-((alpha))-((db.password))
    C: ((present))
`), map[string]any{"present": "s3cr3t-value", "db": map[string]any{"user": "u"}}, nil)
		Expect(err).To(MatchError("manifest.yml: Expected to find variables: alpha, db.password, zeta"))
		var missing *manifest.MissingVarsError
		Expect(errors.As(err, &missing)).To(BeTrue())
		Expect(missing.Names).To(Equal([]string{"alpha", "db.password", "zeta"}))
	})

	It("never prints a variable's value in an error", func() {
		secret := map[string]any{"user": "admin", "password": "hunter2-secret"}
		msg := parseErr("applications:\n- name: web\n  command: run ((creds)) --flag\n", map[string]any{"creds": secret})
		Expect(msg).To(ContainSubstring(`variable "creds"`))
		Expect(msg).NotTo(ContainSubstring("hunter2"))

		msg = parseErr("applications:\n- name: web\n  memory: ((mem))\n", map[string]any{"mem": "hunter2-secret"})
		Expect(msg).To(ContainSubstring(`app "web": memory:`))
		Expect(msg).NotTo(ContainSubstring("hunter2"))

		msg = parseErr("applications:\n- name: web\n  instances: ((n))\n", map[string]any{"n": "hunter2-secret"})
		Expect(msg).To(ContainSubstring(`app "web": instances:`))
		Expect(msg).NotTo(ContainSubstring("hunter2"))
	})

	It("leaves text that is not a reference alone", func() {
		app := only("applications:\n- name: web\n  command: echo ((not a var)) (( )) ((x)\n", nil)
		Expect(*app.Command).To(Equal("echo ((not a var)) (( )) ((x)"))
	})

	It("interpolates anchors once for every alias and merge key", func() {
		app := only(`
defaults: &defaults
  memory: ((mem))
  env: &env {REGION: ((region))}
applications:
- name: web
  <<: *defaults
  metadata: {annotations: *env}
`, map[string]any{"mem": "512M", "region": "eu"})
		Expect(*app.MemoryMB).To(Equal(512))
		Expect(app.Env).To(Equal(map[string]string{"REGION": "eu"}))
	})

	It("refuses a map or a list inside a string or as a key, naming only the variable", func() {
		msg := parseErr("applications:\n- name: web\n  env:\n    ((k)): v\n", map[string]any{"k": []any{"secret-item"}})
		Expect(msg).To(ContainSubstring("map key"))
		Expect(msg).NotTo(ContainSubstring("secret-item"))
	})

	It("refuses a variable of a type it cannot write, without panicking", func() {
		msg := parseErr("applications:\n- name: ((f))\n", map[string]any{"f": make(chan int)})
		Expect(msg).To(ContainSubstring(`variable "f" has unsupported type chan int`))
		loop := map[string]any{}
		loop["self"] = loop
		msg = parseErr("applications:\n- name: web\n  metadata: ((loop))\n", map[string]any{"loop": loop})
		Expect(msg).To(ContainSubstring(`variable "loop"`))
	})

	It("names the vars file that is missing, not a map, or not YAML", func() {
		const yml = "applications:\n- name: web\n"
		missing := filepath.Join(dir, "absent.yml")
		Expect(parseErr(yml, nil, missing)).To(Equal("vars file " + missing + ": no such file or directory"))
		list := varsFile("list.yml", "- a\n- b\n")
		Expect(parseErr(yml, nil, list)).To(Equal("vars file " + list + ": must be a map of variable names to values"))
		bad := varsFile("bad.yml", "a: [\n")
		Expect(parseErr(yml, nil, bad)).To(HavePrefix("vars file " + bad + ": invalid YAML: yaml: line"))
	})

	It("accepts an empty vars file", func() {
		empty := varsFile("empty.yml", "")
		_, err := manifest.Parse("manifest.yml", []byte("applications:\n- name: web\n"), nil, []string{empty})
		Expect(err).NotTo(HaveOccurred())
	})
})
