package rollout_test

import (
	"context"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// processTraffic has the fake's routers serve the app's web processes every 2 ms until stopped:
// the old process always well, a process the deployment made with newStatus(n) for its nth
// request.
func processTraffic(w *world, live *fakeApp, newStatus func(n int) int) (stop func()) {
	old := oldProcessOf(live)
	return fakecf.Every(2*time.Millisecond, func(n int) {
		procs, _ := w.cf.WebProcesses(context.Background(), live.GUID)
		for _, p := range procs {
			status := 200
			if p.GUID != old {
				status = newStatus(n)
			}
			w.cf.Served(live.GUID, p.GUID, status, time.Millisecond, time.Now())
		}
	})
}

var _ = Describe("a canary step judged by the routers' metrics (params.analysis)", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w, live = rollingWorld(1)
		w.plan.Strategy, w.plan.CanaryPause = platform.StrategyCanary, 400*time.Millisecond
		w.plan.Analysis = &analysis.Config{Interval: 200 * time.Millisecond, MinRequests: 10, SuccessRate: analysis.SuccessRate{Min: 0.99}}
	})

	It("cancels a canary whose success rate is below the threshold: the old process serves alone", func() {
		stop := processTraffic(w, live, func(n int) int { return map[bool]int{true: 500, false: 200}[n%10 == 0] })
		defer stop()
		res, err := deployRolling(w)
		Expect(err).To(MatchError(MatchRegexp(`analysis failed at 1/2: new (8|9)[0-9]\.[0-9]% ok`)), "every 10th answer a 500")
		Expect(err).To(MatchError(ContainSubstring("(analysis.success_rate.min)")))
		Expect(res.Analysis[0].Old.Requests).To(BeNumerically(">", 10), "the old process, over the same interval")
		Expect(w.cf.Deployments()[0].Reason).To(Equal(platform.ReasonCanceled))
		calls := w.cf.Calls()
		Expect(slices.ContainsFunc(calls, func(c fakecf.Call) bool {
			return c.Method == "RequestStats" && len(c.Args) == 2 && c.Args[1] != "" && c.Args[1] != oldProcessOf(live)
		})).To(BeTrue(), "the canary's process was measured apart")
	})

	It("continues a healthy canary after every interval passed", func() {
		stop := processTraffic(w, live, func(int) int { return 200 })
		defer stop()
		res, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Analysis).To(HaveLen(2))
		Expect(w.out.String()).To(MatchRegexp(`analysis 2/2: new 100.0% ok, .*; old 100.0% ok, .*: pass`))
	})
})
