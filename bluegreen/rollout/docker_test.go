package rollout_test

import (
	"io"
	"maps"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

const (
	image      = "registry.example.com/team/shop:v2"
	registryPW = "registry-pw-never-printed"
)

// dockerRenderer renders the manifest entry of a docker app: the docker key, no buildpacks.
type dockerRenderer struct{}

func (dockerRenderer) Render(name string, routes []string, env map[string]string) ([]byte, error) {
	doc, err := renderer{}.Render(name, routes, env)
	if err != nil {
		return nil, err
	}
	var m map[string][]map[string]any
	if err := yaml.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	app := maps.Clone(m["applications"][0])
	app["docker"] = map[string]string{"image": image, "username": "ci-bot"}
	return yaml.Marshal(map[string]any{"applications": []any{app}})
}

var _ = Describe("a docker image rolled out with a deployment", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.plan.Manifest = dockerRenderer{}
		w.plan.Bits = bluegreen.Bits{Docker: &platform.DockerImage{Image: image, Username: "ci-bot", Password: registryPW}}
		w.plan.MaxInFlight = 1
		w.cf.Finishes = true
		w.tl = bluegreen.NewTimeline(w.out)
	})

	DescribeTable("makes a docker package on the app instead of an upload, stages it, and deploys its droplet",
		func(strategy platform.DeploymentStrategy) {
			live := w.seedLive(2, liveURL)
			w.cf.SetLifecycle(live.GUID, platform.LifecycleDocker)
			w.plan.Strategy = strategy
			res, err := deployRolling(w)
			Expect(err).NotTo(HaveOccurred())
			calls := w.cf.Calls()
			pkg := first(calls, "CreateDockerPackage", live.GUID, image+" (registry user ci-bot)")
			inOrder("package, stage, deploy", first(calls, "ApplyManifest"), pkg, first(calls, "Stage"),
				first(calls, "CreateDeployment", live.GUID))
			Expect(first(calls, "Upload")).To(Equal(-1))
			Expect(w.cf.Images[live.GUID]).To(Equal([]platform.DockerImage{{Image: image, Username: "ci-bot", Password: registryPW}}))
			Expect(w.cf.Deployments()).To(HaveLen(1))
			Expect(w.cf.Deployments()[0].DropletGUID).To(Equal(res.DropletGUID))
			Expect(res.Status).To(Equal(string(platform.ReasonDeployed)))
			Expect(w.out.String()).To(ContainSubstring("docker package"))
			Expect(w.out.String()).NotTo(ContainSubstring(registryPW))
		},
		Entry("rolling", platform.StrategyRolling),
		Entry("canary", platform.StrategyCanary),
	)

	It("pushes and starts an app that does not exist yet as a docker app, from the manifest's docker key", func() {
		w.plan.Strategy = platform.StrategyRolling
		res, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.FirstPush).To(BeTrue())
		app := w.cf.AppNamed(appName)
		Expect(app.Lifecycle).To(Equal(platform.LifecycleDocker))
		Expect(app.State).To(Equal(string(platform.AppStarted)))
		calls := w.cf.Calls()
		inOrder("package, stage, set the droplet, start", first(calls, "CreateDockerPackage", app.GUID), first(calls, "Stage"),
			first(calls, "SetDroplet", app.GUID, app.Droplet), first(calls, "Start", app.GUID))
	})

	It("restarts a docker app with action restart, no package made", func() {
		live := w.seedLive(2, liveURL)
		w.cf.SetLifecycle(live.GUID, platform.LifecycleDocker)
		w.plan.Strategy, w.plan.Action, w.plan.Bits = platform.StrategyRolling, bluegreen.ActionRestart, bluegreen.Bits{}
		_, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.Count("CreateDockerPackage")).To(BeZero())
		Expect(w.cf.Deployments()).To(HaveLen(1))
	})

	DescribeTable("refuses, before anything changes, to change the lifecycle of the app a deployment keeps",
		func(appLifecycle platform.Lifecycle, bits bluegreen.Bits, want string) {
			live := w.seedLive(2, liveURL)
			w.cf.SetLifecycle(live.GUID, appLifecycle)
			w.plan.Strategy, w.plan.Bits = platform.StrategyRolling, bits
			_, err := deployRolling(w)
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(err).To(MatchError(ContainSubstring("deploy this version with strategy bluegreen, which makes a new app")))
			Expect(fakecf.Mutations(w.cf.Calls())).To(BeEmpty())
		},
		Entry("a docker image for a buildpack app", platform.LifecycleBuildpack,
			bluegreen.Bits{Docker: &platform.DockerImage{Image: image}}, "app shop runs the buildpack lifecycle and the new version is of the docker lifecycle"),
		Entry("bits for a docker app", platform.LifecycleDocker, bluegreen.Bits{Zip: func(_ io.Writer) error { return nil }},
			"app shop runs the docker lifecycle and the new version is of the buildpack lifecycle"),
	)
})
