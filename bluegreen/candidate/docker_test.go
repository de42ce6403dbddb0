package candidate_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

const (
	image          = "registry.example.com/team/shop:v2"
	registryPW     = "registry-pw-never-printed"
	dockerPackaged = "CreateDockerPackage"
)

var _ = Describe("a blue-green deploy of a docker image", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.m.Docker = image
		w.plan.Bits = bluegreen.Bits{Docker: &platform.DockerImage{Image: image, Username: "ci-bot", Password: registryPW}}
	})

	It("builds a candidate of the docker lifecycle from a docker package, staged, verified and promoted like any candidate", func() {
		live := w.seedLive(2, liveURL)
		w.cf.SetLifecycle(live.GUID, platform.LifecycleDocker)
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		cand := res.AppGUID

		By("creating the candidate as a docker app, since CC never changes an app's lifecycle later")
		create := first(calls, "CreateDockerApp", spaceGUID, candName)
		Expect(create).To(BeNumerically(">=", 0))
		Expect(first(calls, "CreateApp")).To(Equal(-1))

		By("applying the manifest with its docker key, and making a docker package instead of uploading bits")
		apply := first(calls, "ApplyManifest", spaceGUID)
		Expect(calls[apply].YAML).To(ContainSubstring("docker:"))
		Expect(calls[apply].YAML).To(ContainSubstring("image: " + image))
		pkg := first(calls, dockerPackaged, cand, image+" (registry user ci-bot)")
		Expect(pkg).To(BeNumerically(">=", 0))
		Expect(first(calls, "Upload")).To(Equal(-1))
		Expect(w.cf.Images[cand]).To(Equal([]platform.DockerImage{{Image: image, Username: "ci-bot", Password: registryPW}}),
			"the registry's credentials reach CC with the package")
		inOrder("build", create, pkg, first(calls, "Stage"), first(calls, "SetDroplet", cand, res.DropletGUID),
			first(calls, "Start", cand), first(calls, "AwaitPresent", tempURL, cand), first(calls, "Map", w.cf.RouteGUID(liveURL), cand))

		By("promoting it as any candidate, the old app kept as APP-previous")
		Expect(w.cf.AppNamed(appName).GUID).To(Equal(cand))
		Expect(w.cf.AppNamed(appName + "-previous").GUID).To(Equal(live.GUID))

		By("saying what it did in the timeline, never the password")
		Expect(w.out.String()).To(ContainSubstring("docker package"))
		Expect(w.out.String()).To(ContainSubstring("image " + image + " (registry user ci-bot)"))
		Expect(w.out.String()).NotTo(ContainSubstring("upload bits"))
		Expect(w.out.String()).NotTo(ContainSubstring(registryPW))
	})

	It("deploys a first version the same way, on APP.DOMAIN", func() {
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(first(w.cf.Calls(), "CreateDockerApp", spaceGUID, candName)).To(BeNumerically(">=", 0))
		Expect(w.cf.AppNamed(appName).Lifecycle).To(Equal(platform.LifecycleDocker))
		Expect(w.cf.Mapped(res.AppGUID)).To(Equal([]string{liveURL}))
	})

	It("replaces a buildpack app with a docker one: blue-green makes a new app", func() {
		w.seedLive(2, liveURL)
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.AppByGUID(res.AppGUID).Lifecycle).To(Equal(platform.LifecycleDocker))
	})
})
