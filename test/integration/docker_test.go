package integration_test

import (
	"context"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The image the docker specs deploy: cfsim serves every tag of it from a folder holding the
// test app (its one executable is the image's start command). The tag follows the version, so
// each deploy makes a package of another image, as a release pipeline does.
const (
	dockerRepo     = "registry.example.com/team/versioned"
	dockerUsername = "ci-bot"
	dockerPassword = "registry-password-never-printed"
)

const dockerManifest = `applications:
- name: myapp
  memory: 64M
  instances: 2
  health-check-type: http
  health-check-http-endpoint: /health
  timeout: 5
  docker:
    image: ` + dockerRepo + `:((version))
    username: ` + dockerUsername + `
  env:
    VERSION: ((version))
`

// newDockerWorld is a world whose foundation can pull the image at tags v1 and v2. CAPI's
// updater ticks every 500 ms, as in the pace specs, so rolling and canary stay quick.
func newDockerWorld() *world {
	image := GinkgoT().TempDir()
	copyFile(bins.Versioned, filepath.Join(image, "versioned"), 0o755)
	cfg := worldConfig(500 * time.Millisecond)
	cfg.DockerImages = map[string]string{dockerRepo + ":v1": image, dockerRepo + ":v2": image}
	w := newWorldFrom(cfg)
	w.write("manifest.yml", dockerManifest)
	return w
}

var _ = Describe("out: docker image apps", func() {
	var w *world
	BeforeEach(func() { w = newDockerWorld() })

	deploy := func(strategy, version string) run {
		r := w.out(w.request(version, map[string]any{"strategy": strategy, "docker_password": dockerPassword}))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout + r.stderr).NotTo(ContainSubstring(dockerPassword))
		Expect(r.stderr).To(ContainSubstring("docker package"))
		Expect(r.stderr).To(ContainSubstring("image " + dockerRepo + ":" + version + " (registry user " + dockerUsername + ")"))
		Expect(r.stderr).NotTo(ContainSubstring("upload bits"))
		return r
	}

	DescribeTable("pushes v1 of a private image, then rolls to v2 under load with zero failed requests",
		func(strategy string) {
			deploy(strategy, "v1")
			w.waitServing("v1")

			l := w.startLoad()
			r := deploy(strategy, "v2")
			Expect(l.expectNoFailures()).To(HaveKey("v2"))
			Expect(w.serves(20)).To(Equal(map[string]int{"200 v2": 20}), "only v2 is served afterwards")
			Expect(metadataOf(r.stdout)).To(HaveKeyWithValue("docker_image", dockerRepo+":v2"))
			app, err := w.cf.Applications.Get(context.Background(), w.appNamed(appName).GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(app.Lifecycle.Type).To(Equal("docker"))

			By("in: the release names its image; a droplet download is refused, there are no bits")
			dir := GinkgoT().TempDir()
			got := w.in(dir, versionOf(r.stdout), nil)
			Expect(got.code).To(Equal(0), got.stderr)
			Expect(w.readJSONField(dir, "droplet.json", "image")).To(Equal(`"` + dockerRepo + `:v2"`))
			refused := w.in(GinkgoT().TempDir(), versionOf(r.stdout), map[string]any{"download_droplet": true})
			Expect(refused.code).NotTo(Equal(0))
			Expect(refused.stderr).To(ContainSubstring("params.download_droplet: myapp runs the docker image " + dockerRepo +
				":v2: its droplet has no bits to download; to promote it, deploy the same image"))
		},
		Entry("bluegreen", "bluegreen"),
		Entry("rolling", "rolling"),
		Entry("canary", "canary"),
	)

	It("restarts a docker app with action restart, without the registry password", func() {
		deploy("rolling", "v1")
		w.waitServing("v1")
		l := w.startLoad()
		r := w.out(w.request("v1", map[string]any{"action": "restart"}))
		Expect(r.code).To(Equal(0), r.stderr)
		l.expectNoFailures()
		Expect(metadataOf(r.stdout)).To(HaveKeyWithValue("deployment_status", "DEPLOYED"))
	})
})
