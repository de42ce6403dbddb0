package analysis_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

const ms = time.Millisecond

// stats are a window's figures: requests, how many of them were 5xx, the latency percentile.
func stats(requests, serverErrors int, latency time.Duration) platform.RequestStats {
	return platform.RequestStats{Requests: requests, ServerErrors: serverErrors, Latency: latency}
}

// every threshold the example sets.
var strict = analysis.Config{
	SuccessRate: analysis.SuccessRate{Min: 0.99, MaxDrop: 0.01},
	Latency:     analysis.Latency{Percentile: 95, Max: 500 * ms, MaxRatio: 2},
}

var _ = Describe("judging an interval", func() {
	healthyOld := stats(240, 0, 100*ms)

	It("passes a new version within every threshold", func() {
		d := analysis.Judge(strict, stats(250, 2, 120*ms), healthyOld, true)
		Expect(d.Verdict).To(Equal(analysis.Pass))
		Expect(d.Err()).To(Succeed())
		Expect(d.Line()).To(Equal("analysis: new 99.2% ok, p95 120ms, 250 req; old 100.0% ok, p95 100ms, 240 req: pass"))
	})

	Context("on the success rate", func() {
		It("fails a new version below the absolute minimum, naming the threshold", func() {
			cfg := analysis.Config{SuccessRate: analysis.SuccessRate{Min: 0.99}}
			d := analysis.Judge(cfg, stats(1000, 52, 120*ms), healthyOld, true)
			Expect(d.Verdict).To(Equal(analysis.Fail))
			Expect(d.Reason).To(Equal("success rate 94.8% < 99.0% (analysis.success_rate.min)"))
			Expect(d.Err()).To(MatchError(analysis.ErrFailed))
			Expect(d.Err()).To(MatchError("analysis failed: new 94.8% ok, p95 120ms, 1000 req; old 100.0% ok, p95 100ms, 240 req: " +
				"success rate 94.8% < 99.0% (analysis.success_rate.min)"))
		})

		It("fails a new version further below the old one than max_drop", func() {
			cfg := analysis.Config{SuccessRate: analysis.SuccessRate{MaxDrop: 0.01}}
			d := analysis.Judge(cfg, stats(1000, 30, 0), stats(1000, 1, 0), true)
			Expect(d.Verdict).To(Equal(analysis.Fail))
			Expect(d.Reason).To(Equal("success rate 97.0% is 2.9 points below the old 99.9%, more than 1.0 (analysis.success_rate.max_drop)"))
		})

		It("passes a drop of exactly max_drop: at most is at most", func() {
			cfg := analysis.Config{SuccessRate: analysis.SuccessRate{MaxDrop: 0.01}}
			Expect(analysis.Judge(cfg, stats(1000, 10, 0), stats(1000, 0, 0), true).Verdict).To(Equal(analysis.Pass))
		})

		It("never shows a rate below the minimum as equal to it", func() {
			cfg := analysis.Config{SuccessRate: analysis.SuccessRate{Min: 0.99}}
			Expect(analysis.Judge(cfg, stats(10000, 104, 0), healthyOld, true).Reason).To(Equal("success rate 98.9% < 99.0% (analysis.success_rate.min)"))
			cfg.SuccessRate.Min = 0.9995
			Expect(analysis.Judge(cfg, stats(10000, 6, 0), healthyOld, true).Reason).To(Equal("success rate 99.9% < 99.95% (analysis.success_rate.min)"))
		})
	})

	Context("on the latency", func() {
		It("fails a percentile above the absolute maximum", func() {
			d := analysis.Judge(strict, stats(250, 0, 620*ms), stats(240, 0, 400*ms), true)
			Expect(d.Reason).To(Equal("p95 620ms > 500ms (analysis.latency.max)"))
		})

		It("shows a latency just above the maximum in full rather than as the maximum", func() {
			d := analysis.Judge(strict, stats(250, 0, 500300*time.Microsecond), stats(240, 0, 400*ms), true)
			Expect(d.Reason).To(Equal("p95 500.3ms > 500ms (analysis.latency.max)"))
		})

		It("fails a new version 3x slower than the old one against a ratio of 2", func() {
			cfg := analysis.Config{Latency: analysis.Latency{MaxRatio: 2}}
			d := analysis.Judge(cfg, stats(250, 0, 300*ms), healthyOld, true)
			Expect(d.Verdict).To(Equal(analysis.Fail))
			Expect(d.Reason).To(Equal("p95 300ms is 3.0x the old 100ms, more than 2x (analysis.latency.max_ratio)"))
		})

		It("passes a new version exactly max_ratio times slower", func() {
			cfg := analysis.Config{Latency: analysis.Latency{MaxRatio: 2}}
			Expect(analysis.Judge(cfg, stats(250, 0, 200*ms), healthyOld, true).Verdict).To(Equal(analysis.Pass))
		})

		It("labels the percentile as configured", func() {
			cfg := analysis.Config{Latency: analysis.Latency{Percentile: 99.9, Max: time.Second}}
			d := analysis.Judge(cfg, stats(250, 0, 1234567*time.Microsecond), healthyOld, true)
			Expect(d.Line()).To(Equal("analysis: new 100.0% ok, p99.9 1.23s, 250 req; old 100.0% ok, p99.9 100ms, 240 req: " +
				"fail: p99.9 1.23s > 1s (analysis.latency.max)"))
		})

		It("skips the ratio, and says so, when the old version's latency is nothing", func() {
			cfg := analysis.Config{Latency: analysis.Latency{MaxRatio: 2}}
			d := analysis.Judge(cfg, stats(250, 0, 300*ms), stats(240, 0, 0), true)
			Expect(d.Verdict).To(Equal(analysis.Pass))
			Expect(d.Skipped).To(Equal("analysis.latency.max_ratio skipped: old p95 0s"))
		})
	})

	It("names every threshold breached", func() {
		d := analysis.Judge(strict, stats(1000, 52, 900*ms), healthyOld, true)
		Expect(d.Line()).To(Equal("analysis: new 94.8% ok, p95 900ms, 1000 req; old 100.0% ok, p95 100ms, 240 req: fail: " +
			"success rate 94.8% < 99.0% (analysis.success_rate.min); " +
			"p95 900ms > 500ms (analysis.latency.max); " +
			"success rate 94.8% is 5.2 points below the old 100.0%, more than 1.0 (analysis.success_rate.max_drop); " +
			"p95 900ms is 9.0x the old 100ms, more than 2x (analysis.latency.max_ratio)"))
	})

	Context("with too few requests to the new version", func() {
		It("neither passes nor fails: the probes decide", func() {
			d := analysis.Judge(strict, stats(3, 3, 2*time.Second), healthyOld, true)
			Expect(d.Verdict).To(Equal(analysis.Inconclusive))
			Expect(d.Err()).To(Succeed())
			Expect(d.Line()).To(Equal("analysis: new 0.0% ok, p95 2s, 3 req; old 100.0% ok, p95 100ms, 240 req: 3 req < min_requests 20: probes decide"))
		})

		It("says so of no requests at all", func() {
			d := analysis.Judge(strict, stats(0, 0, 0), healthyOld, true)
			Expect(d.Line()).To(Equal("analysis: new 0 req; old 100.0% ok, p95 100ms, 240 req: 0 req < min_requests 20: probes decide"))
		})

		It("counts against the configured minimum", func() {
			cfg := strict
			cfg.MinRequests = 5
			Expect(analysis.Judge(cfg, stats(5, 0, 100*ms), healthyOld, true).Verdict).To(Equal(analysis.Pass))
			Expect(analysis.Judge(cfg, stats(4, 0, 100*ms), healthyOld, true).Verdict).To(Equal(analysis.Inconclusive))
		})
	})

	Context("without a fair baseline", func() {
		It("skips the relative thresholds, and says so, when the old version had too few requests", func() {
			d := analysis.Judge(strict, stats(250, 2, 350*ms), stats(5, 0, 100*ms), true)
			Expect(d.Verdict).To(Equal(analysis.Pass), "3.5x slower and a point below, but measured against 5 requests")
			Expect(d.Line()).To(Equal("analysis: new 99.2% ok, p95 350ms, 250 req; old 100.0% ok, p95 100ms, 5 req: " +
				"pass; relative thresholds skipped: old 5 req < min_requests 20"))
		})

		It("still applies the absolute ones", func() {
			d := analysis.Judge(strict, stats(1000, 52, 120*ms), stats(5, 0, 100*ms), true)
			Expect(d.Line()).To(HaveSuffix(": fail: success rate 94.8% < 99.0% (analysis.success_rate.min); " +
				"relative thresholds skipped: old 5 req < min_requests 20"))
		})

		It("skips them when there is no old version", func() {
			d := analysis.Judge(strict, stats(250, 2, 120*ms), platform.RequestStats{}, false)
			Expect(d.Line()).To(Equal("analysis: new 99.2% ok, p95 120ms, 250 req; no old version: pass; relative thresholds skipped"))
		})

		It("says nothing of them when none is set", func() {
			cfg := analysis.Config{SuccessRate: analysis.SuccessRate{Min: 0.99}}
			d := analysis.Judge(cfg, stats(250, 2, 120*ms), platform.RequestStats{}, false)
			Expect(d.Line()).To(Equal("analysis: new 99.2% ok, p95 120ms, 250 req; no old version: pass"))
		})
	})

	DescribeTable("shows latencies to three significant digits",
		func(latency time.Duration, shown string) {
			d := analysis.Judge(strict, stats(250, 0, latency), healthyOld, false)
			Expect(d.Figures()).To(Equal("new 100.0% ok, p95 " + shown + ", 250 req; no old version"))
		},
		Entry("microseconds", 850400*time.Nanosecond, "850µs"),
		Entry("a few milliseconds", 1234567*time.Nanosecond, "1.23ms"),
		Entry("tens of milliseconds", 15740*time.Microsecond, "15.7ms"),
		Entry("hundreds of milliseconds", 120400*time.Microsecond, "120ms"),
		Entry("seconds", 1234*ms, "1.23s"),
	)

	It("never shows a rate short of 100% as 100.0%", func() {
		d := analysis.Judge(strict, stats(10000, 4, 120*ms), healthyOld, false)
		Expect(d.Figures()).To(HavePrefix("new 99.9% ok"))
	})

	It("applies the defaults: min_requests 20, p95", func() {
		d := analysis.Judge(analysis.Config{SuccessRate: analysis.SuccessRate{Min: 0.5}}, stats(19, 0, ms), healthyOld, true)
		Expect(d.MinRequests).To(Equal(analysis.DefaultMinRequests))
		Expect(d.Percentile).To(Equal(95.0))
		Expect(d.Verdict).To(Equal(analysis.Inconclusive))
	})
})
