package resource

import (
	"errors"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

const (
	dockerImageRef = "registry.example.com/team/web:v2"
	registryPW     = "registry-pw"
)

var _ = Describe("a put of a docker image app", func() {
	var dir string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		for name, content := range map[string]string{
			"private.yml":   "applications:\n- name: web\n  docker: {image: " + dockerImageRef + ", username: ci-bot}\n",
			"public.yml":    "applications:\n- name: web\n  docker: {image: " + dockerImageRef + "}\n",
			"with-path.yml": "applications:\n- name: web\n  path: app\n  docker: {image: " + dockerImageRef + "}\n",
			"with-bp.yml":   "applications:\n- name: web\n  buildpacks: [go_buildpack]\n  docker: {image: " + dockerImageRef + "}\n",
			"in-clear.yml":  "applications:\n- name: web\n  docker: {image: " + dockerImageRef + ", username: ci-bot, password: oops}\n",
			"buildpack.yml": "applications:\n- name: web\n",
			"d.tgz":         "droplet bits",
		} {
			Expect(os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)).To(Succeed())
		}
		Expect(os.Mkdir(filepath.Join(dir, "app"), 0o755)).To(Succeed())
	})

	plan := func(params OutParams) (putPlan, error) {
		p, _, err := buildPlans(OutRequest{Params: params}, dir, func(string) string { return "" })
		if err != nil {
			return putPlan{}, err
		}
		return p[0], nil
	}

	DescribeTable("deploys the image, with the registry's credentials, by every strategy",
		func(strategy bluegreen.Strategy, bits func(putPlan) bluegreen.Bits) {
			p, err := plan(OutParams{Manifest: "private.yml", Strategy: strategy, DockerPassword: registryPW})
			Expect(err).NotTo(HaveOccurred())
			Expect(bits(p)).To(Equal(bluegreen.Bits{Docker: &platform.DockerImage{Image: dockerImageRef, Username: "ci-bot", Password: registryPW}}))
			Expect(p.image).To(Equal(dockerImageRef), "for the metadata")
		},
		Entry("bluegreen", bluegreen.StrategyBlueGreen, func(p putPlan) bluegreen.Bits { return p.blueGreen.Bits }),
		Entry("rolling", bluegreen.StrategyRolling, func(p putPlan) bluegreen.Bits { return p.rollout.Bits }),
		Entry("canary", bluegreen.StrategyCanary, func(p putPlan) bluegreen.Bits { return p.rollout.Bits }),
	)

	It("deploys a public image without credentials", func() {
		p, err := plan(OutParams{Manifest: "public.yml"})
		Expect(err).NotTo(HaveOccurred())
		Expect(p.blueGreen.Bits.Docker).To(Equal(&platform.DockerImage{Image: dockerImageRef}))
	})

	It("restarts a docker app without asking for the registry password: no package is made", func() {
		p, err := plan(OutParams{Manifest: "private.yml", Action: bluegreen.ActionRestart})
		Expect(err).NotTo(HaveOccurred())
		Expect(p.rollout.Bits).To(Equal(bluegreen.Bits{}))
	})

	DescribeTable("refuses, naming the field, what cannot go with an image",
		func(params OutParams, want any) {
			_, err := plan(params)
			Expect(err).To(MatchError(want))
		},
		Entry("params.path", OutParams{Manifest: "public.yml", Path: "app"},
			`params.path: app "web" is a docker image (docker.image in the manifest): there are no bits to upload; remove path`),
		Entry("the manifest's path", OutParams{Manifest: "with-path.yml"},
			`params.manifest: app "web" has both docker.image and path: an image has no bits to upload; remove one`),
		Entry("buildpacks", OutParams{Manifest: "with-bp.yml"},
			`params.manifest: app "web" has both docker.image and buildpacks: an image is not staged by buildpacks; remove one`),
		Entry("a droplet to promote", OutParams{Manifest: "public.yml", Droplet: "d.tgz"},
			`params.droplet: app "web" is a docker image (docker.image in the manifest): there is no droplet to move; `+
				`deploy the same image instead (docker.image, with docker_password for a private registry)`),
		Entry("a username without the password", OutParams{Manifest: "private.yml"},
			`params.docker_password: required: app "web"'s manifest gives docker.username, and the registry password comes only from this param `+
				`(as cf push takes it only from CF_DOCKER_PASSWORD)`),
		Entry("the password without a username", OutParams{Manifest: "public.yml", DockerPassword: registryPW},
			`params.docker_password: app "web"'s manifest has no docker.username: a private registry needs both, a public image neither`),
		Entry("the password for a buildpack app", OutParams{Manifest: "buildpack.yml", DockerPassword: registryPW},
			`params.docker_password: app "web" is not a docker image app (no docker.image in the manifest)`),
		Entry("the password in the manifest", OutParams{Manifest: "in-clear.yml", DockerPassword: registryPW},
			MatchRegexp(`^params.manifest: .*: app "web": docker.password: not a manifest key: the registry password is a secret`)),
	)

	It("hides the registry password like the source's credentials, at any length from 3 characters", func() {
		req := OutRequest{Source: Source{Password: "cf-pw"}, Params: OutParams{DockerPassword: "pw!"}}
		Expect(req.credentials()).To(ConsistOf("cf-pw", "pw!"))
		Expect(scrub(errors.New("pulling with pw! failed"), req.credentials(), nil)).To(MatchError("pulling with *** failed"))
	})
})
