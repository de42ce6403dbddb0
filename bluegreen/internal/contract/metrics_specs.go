package contract

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func metricsSpecs(x *fixture) {
	Describe("request metrics", func() {
		requestCountSpecs(x)
		latencySpecs(x)
		windowSpecs(x)
	})
}

func requestCountSpecs(x *fixture) {
	It("counts the requests of a window, and those answered with a 5xx", func() {
		a := x.serving("shop")
		start := time.Now()
		x.requests("shop", 200, 200, 200, 404, 503, 500)
		stats := x.stats(a.GUID, "", start, time.Now(), 95)
		Expect(stats.Requests).To(Equal(6))
		Expect(stats.ServerErrors).To(Equal(2))
		Expect(stats.SuccessRate()).To(BeNumerically("~", 4.0/6, 1e-9))
	})

	It("counts one process's requests when asked: a canary's apart from the old instances'", func() {
		ctx, p := *x.ctx, x.port()
		a := x.serving("shop")
		start := time.Now()
		x.requests("shop", 200, 200)
		old, err := p.WebProcesses(ctx, a.GUID)
		Expect(err).NotTo(HaveOccurred())
		dep, err := p.CreateDeployment(ctx, platform.DeploymentRequest{AppGUID: a.GUID, Strategy: platform.StrategyCanary})
		Expect(err).NotTo(HaveOccurred())
		x.awaitReason(dep.GUID, platform.ReasonPaused)
		served := map[string]int{old[0].GUID: 2}
		Expect(eventually(ctx, x.f.Patience, func() error {
			served[x.f.Request(x.url("shop"), 503, 0)]++
			if served[dep.NewProcesses[0]] == 0 {
				return fmt.Errorf("the canary answered none of %v", served)
			}
			return nil
		})).To(Succeed())
		end := time.Now()
		canary := x.stats(a.GUID, dep.NewProcesses[0], start, end, 50)
		Expect(canary.Requests).To(Equal(served[dep.NewProcesses[0]]))
		Expect(canary.ServerErrors).To(Equal(canary.Requests))
		Expect(x.stats(a.GUID, old[0].GUID, start, end, 50).Requests).To(Equal(served[old[0].GUID]))
		Expect(x.stats(a.GUID, "", start, end, 50).Requests).To(Equal(served[old[0].GUID] + served[dep.NewProcesses[0]]))
		Expect(p.CancelDeployment(ctx, dep.GUID)).To(Succeed())
	})

}

func latencySpecs(x *fixture) {
	It("takes the latency percentile across the requests, each timed on its own", func() {
		a := x.serving("shop")
		start := time.Now()
		for range 8 {
			x.f.Request(x.url("shop"), 200, 0)
		}
		x.f.Request(x.url("shop"), 200, 300*time.Millisecond)
		x.f.Request(x.url("shop"), 200, 300*time.Millisecond)
		end := time.Now()
		p95 := x.stats(a.GUID, "", start, end, 95).Latency
		Expect(p95).To(BeNumerically(">=", 300*time.Millisecond), "interpolated between the two slow ones")
		Expect(p95).To(BeNumerically("<", 2*time.Second))
		Expect(x.stats(a.GUID, "", start, end, 50).Latency).To(BeNumerically("<", 100*time.Millisecond))
	})

	It("has no requests and no latency for an app nobody called, and refuses a percentile outside (0, 100)", func() {
		ctx, p := *x.ctx, x.port()
		a := x.serving("shop")
		stats := x.stats(a.GUID, "", time.Now().Add(-time.Minute), time.Now(), 99)
		Expect(stats).To(Equal(platform.RequestStats{}))
		Expect(stats.SuccessRate()).To(Equal(1.0))
		for _, pct := range []float64{0, 100, -5} {
			_, err := p.RequestStats(ctx, platform.MetricsQuery{AppGUID: a.GUID, Start: time.Now().Add(-time.Minute),
				End: time.Now(), Percentile: pct})
			Expect(err).To(HaveOccurred(), "percentile %v", pct)
		}
	})

}

func windowSpecs(x *fixture) {
	It("leaves out requests before the second the window starts in, and after its end", func() {
		a := x.serving("shop")
		x.requests("shop", 500, 500)
		// The window starts in a later second: Log Cache only knows a request's second.
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
		start := time.Now()
		x.requests("shop", 200, 503, 200)
		end := time.Now()
		time.Sleep(10 * time.Millisecond)
		x.requests("shop", 502)
		stats := x.stats(a.GUID, "", start, end, 95)
		Expect(stats.Requests).To(Equal(3))
		Expect(stats.ServerErrors).To(Equal(1))
	})

	It("fails, naming Log Cache, for an app that no longer exists", func() {
		ctx, p := *x.ctx, x.port()
		a := x.pushed("shop", 1, nil, nil)
		Expect(p.DeleteApp(ctx, a.GUID)).To(Succeed())
		_, err := p.RequestStats(ctx, platform.MetricsQuery{AppGUID: a.GUID, Start: time.Now().Add(-time.Minute),
			End: time.Now(), Percentile: 95})
		Expect(err).To(MatchError(ContainSubstring("Log Cache")))
	})
}

// serving pushes the app with its route and starts one instance of it.
func (x *fixture) serving(name string) *platform.App {
	a := x.pushed(name, 1, []string{x.url(name)}, nil)
	x.started(a, 1)
	return a
}

// requests sends one request to the app's route per status, each answered at once.
func (x *fixture) requests(name string, statuses ...int) {
	for _, s := range statuses {
		x.f.Request(x.url(name), s, 0)
	}
}

// stats reads the requests of the app (or process) between start and end.
func (x *fixture) stats(appGUID, processGUID string, start, end time.Time, percentile float64) platform.RequestStats {
	s, err := x.port().RequestStats(*x.ctx, platform.MetricsQuery{AppGUID: appGUID, ProcessGUID: processGUID,
		Start: start, End: end, Percentile: percentile})
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return s
}
