package rollout_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

var _ = Describe("a rolling deploy of an app with a worker", func() {
	It("rolls back, verified, when the worker CAPI restarted as it finished crashes", func() {
		w := newWorld()
		live := w.seedLive(2, liveURL)
		w.cf.SeedProcess(live.GUID, "worker", 1, 128)
		w.cf.SetTypeStates(appName+"/worker", "CRASHED")
		w.cf.After("CreateDeployment", func(c fakecf.Call) { // the rollback's droplet has the worker that ran
			if len(w.cf.Deployments()) == 2 {
				w.cf.SetTypeStates(appName+"/worker", "RUNNING")
			}
		})
		w.cf.Finishes = true
		w.plan.Strategy, w.plan.MaxInFlight = platform.StrategyRolling, 1
		w.tl = bluegreen.NewTimeline(w.out)
		_, err := deployRolling(w)
		Expect(err).To(MatchError(ContainSubstring("settle: worker process: instance 0 crashed")))
		Expect(err).To(MatchError(ContainSubstring("rolled back to revision 1, verified")))
		Expect(w.cf.Deployments()).To(HaveLen(2), "a deployment of the previous revision")
	})
})
