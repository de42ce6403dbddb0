package manifest_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

var _ = Describe("reading a manifest", func() {
	It("reads the fields the engine uses", func() {
		app := only(`
version: 1
applications:
- name: web
  path: build/app.jar
  instances: 3
  memory: 256M
  disk_quota: 1G
  command: ./start
  health-check-type: http
  health-check-http-endpoint: /health
  timeout: 120
  random-route: yes
  default-route: false
  routes:
  - route: web.example.com
  - route: web.example.com/api
    protocol: http2
  buildpack: java_buildpack
  stack: cflinuxfs4
  services: [db, {name: cache, parameters: {size: 1}}]
  docker: {image: ignored/by-this-test, username: ci-bot}
  log-rate-limit-per-second: 16K
  processes:
  - type: worker
    instances: 0
    memory: 128M
    log-rate-limit-per-second: -1
  some-future-key: {anything: [1, 2]}
`, nil)
		Expect(app.Name).To(Equal("web"))
		Expect(app.Path).To(Equal("build/app.jar"))
		Expect(*app.Instances).To(Equal(3))
		Expect(*app.MemoryMB).To(Equal(256))
		Expect(*app.DiskMB).To(Equal(1024))
		Expect(*app.Command).To(Equal("./start"))
		Expect(app.HealthCheckType).To(Equal("http"))
		Expect(app.HealthCheckEndpoint).To(Equal("/health"))
		Expect(*app.Timeout).To(Equal(120))
		Expect(app.RandomRoute).To(BeTrue())
		Expect(app.DefaultRoute).To(BeFalse())
		Expect(app.NoRoute).To(BeFalse())
		Expect(app.Routes).To(Equal([]string{"web.example.com", "web.example.com/api"}))
		Expect(app.Buildpacks).To(Equal([]string{"java_buildpack"}))
		Expect(app.Stack).To(Equal("cflinuxfs4"))
		Expect(app.Services).To(Equal([]string{"db", "cache"}))
		Expect(app.DockerImage).To(Equal("ignored/by-this-test"))
		Expect(app.DockerUsername).To(Equal("ci-bot"))
		Expect(app.Processes).To(HaveLen(1))
		Expect(app.Processes[0].Type).To(Equal("worker"))
		Expect(*app.Processes[0].Instances).To(Equal(0))
		Expect(*app.Processes[0].MemoryMB).To(Equal(128))
		Expect(app.Protocols).To(Equal(map[string]string{"web.example.com/api": "http2"}))
		Expect(*app.LogRateLimit).To(Equal(16384))
		Expect(*app.Processes[0].LogRateLimit).To(Equal(-1))
	})

	It("leaves unset fields nil", func() {
		app := only("applications:\n- name: web\n", nil)
		Expect(app.Instances).To(BeNil())
		Expect(app.MemoryMB).To(BeNil())
		Expect(app.Command).To(BeNil())
		Expect(app.Env).To(BeNil())
		Expect(app.Routes).To(BeEmpty())
	})

	DescribeTable("reads sizes in the Cloud Controller's units",
		func(size string, mb int) {
			Expect(*only("applications:\n- name: web\n  memory: "+size+"\n", nil).MemoryMB).To(Equal(mb))
		},
		Entry("M", "256M", 256), Entry("MB", "512MB", 512), Entry("lower case", "64m", 64),
		Entry("G", "1G", 1024), Entry("GB", "2gb", 2048), Entry("T", "1T", 1024*1024),
		Entry("K", "2048K", 2), Entry("KB", "1024KB", 1), Entry("B", "1048576B", 1),
	)

	It("stringifies env values as their YAML text", func() {
		app := only(`
applications:
- name: web
  env: {PORT: 8080, DEBUG: true, RATIO: 1.50, NAME: plain, QUOTED: "007", EMPTY: ~}
`, nil)
		Expect(app.Env).To(Equal(map[string]string{
			"PORT": "8080", "DEBUG": "true", "RATIO": "1.50", "NAME": "plain", "QUOTED": "007", "EMPTY": "",
		}))
	})

	Describe("validation", func() {
		DescribeTable("names the field and the app",
			func(yml, want string) {
				Expect(parseErr(yml, nil)).To(Equal("manifest.yml: " + want))
			},
			Entry("no applications", "name: web\n", "applications: missing"),
			Entry("empty manifest", "", "applications: missing (the manifest is empty)"),
			Entry("not a map", "- a\n", "applications: missing (the manifest is not a map)"),
			Entry("applications not a list", "applications: {name: web}\n", "applications: must be a list of apps"),
			Entry("an app that is not a map", "applications: [web]\n", "applications[0]: must be a map"),
			Entry("an app without a name", "applications:\n- name: a\n- memory: 1G\n", "applications[1]: name: missing"),
			Entry("an app with a map for a name", "applications:\n- name: {a: b}\n", "applications[0]: name: must be a string"),
			Entry("a memory without a unit", "applications:\n- name: web\n  memory: 256\n",
				`app "web": memory: must be a whole number with a unit B, K, KB, M, MB, G, GB, T or TB (e.g. 256M, 1G)`),
			Entry("a memory with a bad unit", "applications:\n- name: web\n  memory: 256X\n",
				`app "web": memory: must be a whole number with a unit B, K, KB, M, MB, G, GB, T or TB (e.g. 256M, 1G)`),
			Entry("a fractional disk quota", "applications:\n- name: web\n  disk_quota: 1.5G\n",
				`app "web": disk_quota: must be a whole number with a unit B, K, KB, M, MB, G, GB, T or TB (e.g. 256M, 1G)`),
			Entry("negative instances", "applications:\n- name: web\n  instances: -1\n", `app "web": instances: must be a non-negative integer`),
			Entry("fractional instances", "applications:\n- name: web\n  instances: 1.5\n", `app "web": instances: must be a non-negative integer`),
			Entry("quoted instances", "applications:\n- name: web\n  instances: \"3\"\n", `app "web": instances: must be a non-negative integer`),
			Entry("a zero timeout", "applications:\n- name: web\n  timeout: 0\n", `app "web": timeout: must be a positive integer`),
			Entry("a bad health check type", "applications:\n- name: web\n  health-check-type: tcp\n", `app "web": health-check-type: must be port, process, http or none`),
			Entry("a route without route", "applications:\n- name: web\n  routes:\n  - protocol: http2\n", `app "web": routes[0].route: missing or not a string`),
			Entry("routes not a list", "applications:\n- name: web\n  routes: a.example.com\n", `app "web": routes: must be a list`),
			Entry("a nested env value", "applications:\n- name: web\n  env: {A: {b: c}}\n", `app "web": env.A: must be a string, a number or a boolean`),
			Entry("a bad no-route", "applications:\n- name: web\n  no-route: maybe\n", `app "web": no-route: must be true or false`),
			Entry("a log rate limit that is not -1 or a size", "applications:\n- name: web\n  log-rate-limit-per-second: lots\n",
				`app "web": log-rate-limit-per-second: must be -1 or a whole number with a unit B, K, M, G or T (e.g. 16K)`),
			Entry("a process without a type", "applications:\n- name: web\n  processes:\n  - instances: 1\n", `app "web" processes[0]: type: missing`),
			Entry("a process with bad memory", "applications:\n- name: web\n  processes:\n  - {type: worker, memory: lots}\n",
				`app "web" processes[0]: memory: must be a whole number with a unit B, K, KB, M, MB, G, GB, T or TB (e.g. 256M, 1G)`),
			Entry("docker not a map", "applications:\n- name: web\n  docker: img\n", `app "web": docker: must be a map`),
			Entry("docker without an image", "applications:\n- name: web\n  docker: {username: ci}\n", `app "web": docker.image: missing (the image to run)`),
			Entry("a registry password in the manifest", "applications:\n- name: web\n  docker: {image: img, password: hunter2}\n",
				`app "web": docker.password: not a manifest key: the registry password is a secret `+
					`(cf push takes it from CF_DOCKER_PASSWORD, this resource from the put's docker_password)`),
			Entry("a duplicate app", "applications:\n- name: web\n- name: web\n", `app "web": name: appears more than once`),
			Entry("another schema version", "version: 2\napplications:\n- name: web\n", "version: only manifest schema version 1 is supported"),
		)

		It("reports every problem of every app at once", func() {
			msg := parseErr("applications:\n- name: a\n  memory: 1\n  instances: -2\n- name: b\n  timeout: x\n", nil)
			Expect(msg).To(Equal(`manifest.yml: app "a": instances: must be a non-negative integer; ` +
				`app "a": memory: must be a whole number with a unit B, K, KB, M, MB, G, GB, T or TB (e.g. 256M, 1G); ` +
				`app "b": timeout: must be a positive integer`))
		})

		It("gives the line of invalid YAML", func() {
			Expect(parseErr("applications:\n- name: web\n  env: [a\n", nil)).To(MatchRegexp(`^manifest\.yml: invalid YAML: yaml: line \d+: `))
		})

		It("refuses custom YAML tags, which would hide a ((var)) from interpolation (found by FuzzParse)", func() {
			Expect(parseErr("applications:\n- name: web\n  env: {A: !secret x((v))}\n", nil)).
				To(Equal("manifest.yml: line 3: the YAML tag !secret is not supported in a manifest"))
		})

		It("refuses aliases that expand without bound or contain themselves", func() {
			laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			for i, prev := 0, "a"; i < 8; i++ {
				name := string(rune('b' + i))
				laughs += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
				prev = name
			}
			Expect(parseErr(laughs+"applications:\n- name: web\n", nil)).To(ContainSubstring("expands to more than"))
			Expect(parseErr("a: &a [*a]\napplications:\n- name: web\n", nil)).To(Or(ContainSubstring("inside its own anchor"), ContainSubstring("invalid YAML")))
		})

		It("allows keys it does not know", func() {
			Expect(only("applications:\n- name: web\n  sidecars: [{name: s}]\n  log-rate-limit-per-second: 1K\n", nil).Name).To(Equal("web"))
		})
	})

	Describe("Select", func() {
		two := "applications:\n- name: a\n- name: b\n"

		It("returns the only app, or the named one", func() {
			Expect(only("applications:\n- name: a\n", nil).Name).To(Equal("a"))
			app, err := parse(two, nil).Select("b")
			Expect(err).NotTo(HaveOccurred())
			Expect(app.Name).To(Equal("b"))
		})

		It("asks for app_name when there are several apps", func() {
			_, err := parse(two, nil).Select("")
			Expect(err).To(MatchError("manifest holds apps a, b: set app_name"))
		})

		It("names the apps when app_name is not among them", func() {
			_, err := parse(two, nil).Select("x")
			Expect(err).To(MatchError(`app_name "x" is not in the manifest (apps: a, b)`))
		})

		It("refuses a manifest without apps", func() {
			_, err := parse("applications: []\n", nil).Select("")
			Expect(err).To(MatchError("manifest has no applications"))
			_, err = (*manifest.Manifest)(nil).Select("a")
			Expect(err).To(HaveOccurred())
		})
	})

	Describe("Load", func() {
		It("resolves app paths against the manifest's folder, which is also the default", func() {
			dir := GinkgoT().TempDir()
			Expect(os.WriteFile(filepath.Join(dir, "manifest.yml"), []byte(`
applications:
- name: rel
  path: build/app.jar
- name: abs
  path: /opt/app
- name: none
`), 0o644)).To(Succeed())
			m, err := manifest.Load(filepath.Join(dir, "manifest.yml"), nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Dir).To(Equal(dir))
			Expect(m.Apps[0].Path).To(Equal(filepath.Join(dir, "build", "app.jar")))
			Expect(m.Apps[1].Path).To(Equal("/opt/app"))
			Expect(m.Apps[2].Path).To(BeEmpty())
			Expect(m.Apps[0].SourcePath("")).To(Equal(filepath.Join(dir, "build", "app.jar")))
			Expect(m.Apps[2].SourcePath("")).To(Equal(dir))
			Expect(m.Apps[2].SourcePath("/given")).To(Equal("/given"))
		})

		It("names a manifest it cannot read", func() {
			_, err := manifest.Load("/nonexistent/manifest.yml", nil, nil)
			Expect(err).To(MatchError(ContainSubstring("/nonexistent/manifest.yml")))
		})

		It("prefixes errors with the manifest's path", func() {
			dir := GinkgoT().TempDir()
			path := filepath.Join(dir, "m.yml")
			Expect(os.WriteFile(path, []byte("applications:\n- name: ((x))\n"), 0o644)).To(Succeed())
			_, err := manifest.Load(path, nil, nil)
			Expect(err).To(MatchError(path + ": Expected to find variables: x"))
		})
	})
})
