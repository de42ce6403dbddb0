package candidate_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// traffic sends requests to url through the fake's routers every 2 ms until stopped, each
// answered with status(n) for the nth request.
func traffic(w *world, url string, status func(n int) int) (stop func()) {
	return fakecf.Every(2*time.Millisecond, func(n int) { w.cf.Request(url, status(n), time.Millisecond) })
}

var _ = Describe("the observation window judged by the routers' metrics (params.analysis)", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL)
		w.plan.Observe = &bluegreen.Observation{Duration: 400 * time.Millisecond, Interval: 50 * time.Millisecond,
			Check: probe.Check{Path: "/health"}, Analysis: &analysis.Config{Interval: 200 * time.Millisecond, MinRequests: 10,
				SuccessRate: analysis.SuccessRate{Min: 0.99}}}
	})

	It("switches traffic back when the new app's success rate is below the threshold, with the figures", func() {
		stop := traffic(w, liveURL, func(n int) int {
			if len(w.cf.Mapped(live.GUID)) == 0 && n%10 == 0 { // the new version fails every 10th request
				return 500
			}
			return 200
		})
		defer stop()
		time.Sleep(250 * time.Millisecond) // the old app's requests before the deploy: its baseline
		res, err := w.deploy()
		Expect(err).To(MatchError(MatchRegexp(`^observe: analysis failed at 1/2: new (8|9)[0-9]\.[0-9]% ok`)), "every 10th answer a 500")
		Expect(err).To(MatchError(ContainSubstring("(analysis.success_rate.min)")))
		Expect(res.Analysis).To(HaveLen(1))
		Expect(res.Analysis[0].Verdict).To(Equal(analysis.Fail))
		Expect(res.Analysis[0].Old.Requests).To(BeNumerically(">", 10), "the old app's baseline before the cutover")
		Expect(w.cf.Mapped(live.GUID)).To(Equal([]string{liveURL}), "switched back")
	})

	It("passes a healthy new version, one line per interval", func() {
		stop := traffic(w, liveURL, func(int) int { return 200 })
		defer stop()
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Analysis).To(HaveLen(2))
		Expect(w.out.String()).To(MatchRegexp(`analysis 2/2: new 100.0% ok, .*: pass`))
	})

	It("lets the observation checks decide an interval without enough requests, and says so", func() {
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Analysis).To(HaveLen(2))
		Expect(res.Analysis[0].Probed).To(BeTrue())
		Expect(w.out.String()).To(ContainSubstring("0 req < min_requests 10: probes decide: pass"))
	})
})
