package rollout_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

var _ = Describe("a migration before a deployment", func() {
	var (
		w    *world
		live *fakeApp
	)
	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL)
		w.cf.SetEnv(live.GUID, map[string]string{"VERSION": "v1"})
		w.plan.Strategy, w.plan.MaxInFlight, w.plan.WaitActive = platform.StrategyRolling, 1, true
		w.plan.ManifestEnv = map[string]string{"VERSION": "v2"}
		w.plan.Migration = &bluegreen.Migration{Name: "migrate", Command: "./versioned migrate", Timeout: 2 * time.Second}
		w.cf.Finishes = true
		w.tl = bluegreen.NewTimeline(w.out)
	})

	It("runs once on the new droplet, before the deployment is created", func() {
		res, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		runs := w.cf.TaskRuns()
		Expect(runs).To(HaveLen(1))
		Expect(runs[0].AppGUID).To(Equal(live.GUID))
		Expect(runs[0].DropletGUID).To(Equal(res.DropletGUID))
		calls := w.cf.Calls()
		inOrder("stage, migrate, deploy", first(calls, "Stage"), first(calls, "RunTask"), first(calls, "CreateDeployment"))
	})

	It("creates no deployment when the migration fails, and puts back the env vars the manifest changed", func() {
		w.plan.Migration.Command = "./versioned migrate --exit 3"
		_, err := deployRolling(w)
		Expect(err).To(MatchError(ContainSubstring("Exited with status 3")))
		Expect(w.cf.Deployments()).To(BeEmpty())
		Expect(w.cf.AppByGUID(live.GUID).Env).To(Equal(map[string]string{"VERSION": "v1"}))
	})
})
