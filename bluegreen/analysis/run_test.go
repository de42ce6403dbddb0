package analysis_test

import (
	"context"
	"errors"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// clock is a fake clock: sleeping moves it on at once, unless the context ended.
type clock struct {
	now     time.Time
	slept   []time.Duration
	onSleep func(n int) // called before the nth sleep (1-based) returns
}

func (c *clock) Now() time.Time { return c.now }

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	if c.onSleep != nil {
		c.onSleep(len(c.slept))
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	return nil
}

// metrics answers each query with what figures says of it, and records the queries.
type metrics struct {
	mu      sync.Mutex
	queries []platform.MetricsQuery
	figures func(q platform.MetricsQuery) (platform.RequestStats, error)
}

func (m *metrics) RequestStats(_ context.Context, q platform.MetricsQuery) (platform.RequestStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queries = append(m.queries, q)
	return m.figures(q)
}

var t0 = time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)

var _ = Describe("running an analysis", func() {
	var (
		clk      *clock
		m        *metrics
		lines    []string
		probes   int
		probeErr error
		runner   analysis.Runner
		canary   analysis.Window
		// per interval (1-based, by the window's end) what the new and old versions did
		newByInterval, oldByInterval map[int]platform.RequestStats
	)
	interval := func(q platform.MetricsQuery) int { return int(q.End.Sub(t0) / (10 * time.Second)) }

	BeforeEach(func() {
		clk, lines, probes, probeErr = &clock{now: t0}, nil, 0, nil
		newByInterval, oldByInterval = map[int]platform.RequestStats{}, map[int]platform.RequestStats{}
		m = &metrics{figures: func(q platform.MetricsQuery) (platform.RequestStats, error) {
			if q.ProcessGUID == "new-web" {
				if s, ok := newByInterval[interval(q)]; ok {
					return s, nil
				}
				return stats(250, 2, 120*ms), nil
			}
			if s, ok := oldByInterval[interval(q)]; ok {
				return s, nil
			}
			return stats(240, 0, 100*ms), nil
		}}
		runner = analysis.Runner{Metrics: m, Now: clk.Now, Sleep: clk.Sleep,
			Log:   func(l string) { lines = append(lines, l) },
			Probe: func(context.Context) error { probes++; return probeErr }}
		canary = analysis.Window{New: analysis.Target{AppGUID: "app", ProcessGUID: "new-web"},
			Old: analysis.Target{AppGUID: "app", ProcessGUID: "old-web"}, Duration: 30 * time.Second}
	})

	It("judges each interval as it ends, both versions over the same window, one line each", func() {
		ds, err := runner.Run(context.Background(), canary, strict)
		Expect(err).NotTo(HaveOccurred())
		Expect(ds).To(HaveLen(3))
		Expect(clk.slept).To(Equal([]time.Duration{10 * time.Second, 10 * time.Second, 10 * time.Second}))
		Expect(ds[1].From).To(Equal(t0.Add(10 * time.Second)))
		Expect(ds[1].To).To(Equal(t0.Add(20 * time.Second)))
		Expect(m.queries).To(ContainElements(
			platform.MetricsQuery{AppGUID: "app", ProcessGUID: "new-web", Start: t0.Add(10 * time.Second), End: t0.Add(20 * time.Second), Percentile: 95},
			platform.MetricsQuery{AppGUID: "app", ProcessGUID: "old-web", Start: t0.Add(10 * time.Second), End: t0.Add(20 * time.Second), Percentile: 95},
		))
		Expect(m.queries).To(HaveLen(6))
		Expect(lines).To(Equal([]string{
			"analysis: 3 intervals of 10s (min_requests 20); the old version over the same intervals",
			"analysis 1/3: new 99.2% ok, p95 120ms, 250 req; old 100.0% ok, p95 100ms, 240 req: pass",
			"analysis 2/3: new 99.2% ok, p95 120ms, 250 req; old 100.0% ok, p95 100ms, 240 req: pass",
			"analysis 3/3: new 99.2% ok, p95 120ms, 250 req; old 100.0% ok, p95 100ms, 240 req: pass",
		}))
		Expect(probes).To(BeZero(), "the figures decided every interval")
	})

	It("judges whole intervals only, and reads each a lag after its end", func() {
		canary.Duration = 25 * time.Second
		runner.Lag = 2 * time.Second
		ds, err := runner.Run(context.Background(), canary, analysis.Config{Interval: 5 * time.Second, SuccessRate: analysis.SuccessRate{Min: 0.9}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ds).To(HaveLen(5))
		Expect(clk.slept[0]).To(Equal(7*time.Second), "the first window's end, and the lag")
		Expect(m.queries[0].End).To(Equal(t0.Add(5 * time.Second)))
		Expect(clk.now).To(Equal(t0.Add(27 * time.Second)))
	})

	It("stops at the first failing interval, with the figures in the error", func() {
		newByInterval[2] = stats(1000, 52, 120*ms)
		ds, err := runner.Run(context.Background(), canary, analysis.Config{SuccessRate: analysis.SuccessRate{Min: 0.99}})
		Expect(err).To(MatchError(analysis.ErrFailed))
		Expect(err).To(MatchError("analysis failed at 2/3: new 94.8% ok, p95 120ms, 1000 req; old 100.0% ok, p95 100ms, 240 req: " +
			"success rate 94.8% < 99.0% (analysis.success_rate.min)"))
		Expect(ds).To(HaveLen(2))
		Expect(ds[1].Verdict).To(Equal(analysis.Fail))
		Expect(lines[2]).To(Equal("analysis 2/3: new 94.8% ok, p95 120ms, 1000 req; old 100.0% ok, p95 100ms, 240 req: " +
			"fail: success rate 94.8% < 99.0% (analysis.success_rate.min)"))
		Expect(m.queries).To(HaveLen(4), "nothing read after the failure")
	})

	It("fails a canary 3x slower than the old instances against a ratio of 2", func() {
		newByInterval[1] = stats(250, 0, 300*ms)
		_, err := runner.Run(context.Background(), canary, analysis.Config{Latency: analysis.Latency{MaxRatio: 2}})
		Expect(err).To(MatchError(ContainSubstring("p95 300ms is 3.0x the old 100ms, more than 2x (analysis.latency.max_ratio)")))
	})

	Context("when an interval has too few requests", func() {
		BeforeEach(func() { newByInterval[2] = stats(3, 0, 90*ms) })

		It("lets the probes decide it, and says so", func() {
			ds, err := runner.Run(context.Background(), canary, strict)
			Expect(err).NotTo(HaveOccurred())
			Expect(probes).To(Equal(1))
			Expect(ds[1].Verdict).To(Equal(analysis.Inconclusive))
			Expect(ds[1].Probed).To(BeTrue())
			Expect(lines[2]).To(Equal("analysis 2/3: new 100.0% ok, p95 90ms, 3 req; old 100.0% ok, p95 100ms, 240 req: " +
				"3 req < min_requests 20: probes decide: pass"))
		})

		It("fails when the probes fail, with both the figures and the probes' error", func() {
			probeErr = errors.New("GET /health: 503")
			ds, err := runner.Run(context.Background(), canary, strict)
			Expect(err).To(MatchError(analysis.ErrFailed))
			Expect(err).To(MatchError(probeErr))
			Expect(err).To(MatchError("analysis failed at 2/3: new 100.0% ok, p95 90ms, 3 req; old 100.0% ok, p95 100ms, 240 req: " +
				"3 req < min_requests 20, and the probes failed: GET /health: 503"))
			Expect(ds).To(HaveLen(2))
			Expect(lines[2]).To(HaveSuffix("3 req < min_requests 20: probes decide: fail: GET /health: 503"))
		})

		It("passes it without probes to run", func() {
			runner.Probe = nil
			_, err := runner.Run(context.Background(), canary, strict)
			Expect(err).NotTo(HaveOccurred())
			Expect(lines[2]).To(HaveSuffix("3 req < min_requests 20: no probes to decide: pass"))
		})
	})

	It("skips the relative thresholds, and says so, while the old instances take too few requests", func() {
		oldByInterval[1] = stats(5, 0, 100*ms)
		newByInterval[1], newByInterval[2] = stats(250, 0, 350*ms), stats(250, 0, 350*ms)
		ds, err := runner.Run(context.Background(), canary, analysis.Config{Latency: analysis.Latency{MaxRatio: 2}})
		Expect(err).To(MatchError(ContainSubstring("failed at 2/3")), "the second interval has a baseline again")
		Expect(ds).To(HaveLen(2))
		Expect(lines[1]).To(HaveSuffix("pass; relative thresholds skipped: old 5 req < min_requests 20"))
	})

	Context("after a blue-green cutover", func() {
		cutover := t0.Add(-3 * time.Second)
		var blueGreen analysis.Window
		BeforeEach(func() {
			blueGreen = analysis.Window{New: analysis.Target{AppGUID: "app-v2"}, Old: analysis.Target{AppGUID: "app-v1"},
				Duration: 30 * time.Second, BaselineEnd: cutover}
			m.figures = func(q platform.MetricsQuery) (platform.RequestStats, error) {
				if q.AppGUID == "app-v1" {
					return stats(240, 0, 100*ms), nil
				}
				return stats(250, 2, 120*ms), nil
			}
		})

		It("measures the old version once, over one interval just before the cutover", func() {
			_, err := runner.Run(context.Background(), blueGreen, strict)
			Expect(err).NotTo(HaveOccurred())
			var old []platform.MetricsQuery
			for _, q := range m.queries {
				if q.AppGUID == "app-v1" {
					old = append(old, q)
				}
			}
			Expect(old).To(Equal([]platform.MetricsQuery{{AppGUID: "app-v1", Start: cutover.Add(-10 * time.Second), End: cutover, Percentile: 95}}))
			Expect(lines[0]).To(Equal("analysis: 3 intervals of 10s (min_requests 20); the old version over the 10s before 13:59:57"))
			Expect(lines[3]).To(Equal("analysis 3/3: new 99.2% ok, p95 120ms, 250 req; old 100.0% ok, p95 100ms, 240 req: pass"))
		})

		It("reads no old version when there is none (a first deploy)", func() {
			blueGreen.Old = analysis.Target{}
			_, err := runner.Run(context.Background(), blueGreen, strict)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.queries).To(HaveLen(3))
			Expect(lines[0]).To(HaveSuffix("; no old version"))
			Expect(lines[1]).To(Equal("analysis 1/3: new 99.2% ok, p95 120ms, 250 req; no old version: pass; relative thresholds skipped"))
		})
	})

	Context("when the metrics cannot be read", func() {
		boom := errors.New("log cache: 502 Bad Gateway")

		It("fails clearly on the new version's", func() {
			m.figures = func(q platform.MetricsQuery) (platform.RequestStats, error) {
				if interval(q) == 2 {
					return platform.RequestStats{}, boom
				}
				return stats(250, 0, 100*ms), nil
			}
			ds, err := runner.Run(context.Background(), canary, strict)
			Expect(err).To(MatchError(boom))
			Expect(err).NotTo(MatchError(analysis.ErrFailed), "nothing was judged worse")
			Expect(err).To(MatchError("analysis 2/3: reading the new version's request metrics: log cache: 502 Bad Gateway"))
			Expect(ds).To(HaveLen(1))
		})

		It("fails clearly on the old version's", func() {
			m.figures = func(q platform.MetricsQuery) (platform.RequestStats, error) {
				if q.ProcessGUID == "old-web" {
					return platform.RequestStats{}, boom
				}
				return stats(250, 0, 100*ms), nil
			}
			_, err := runner.Run(context.Background(), canary, strict)
			Expect(err).To(MatchError("analysis 1/3: reading the old version's request metrics: log cache: 502 Bad Gateway"))
		})
	})

	Context("when the context ends", func() {
		It("stops waiting, with the context's cause and the decisions so far", func() {
			ctx, cancel := context.WithCancelCause(context.Background())
			clk.onSleep = func(n int) {
				if n == 3 {
					cancel(errors.New("SIGTERM"))
				}
			}
			ds, err := runner.Run(ctx, canary, strict)
			Expect(err).To(MatchError("analysis 3/3: SIGTERM"))
			Expect(ds).To(HaveLen(2))
		})

		It("reports the abort, not the probes it cut short", func() {
			ctx, cancel := context.WithCancel(context.Background())
			newByInterval[1] = stats(0, 0, 0)
			runner.Probe = func(context.Context) error { cancel(); return errors.New("probe: context canceled") }
			_, err := runner.Run(ctx, canary, strict)
			Expect(err).To(MatchError(context.Canceled))
			Expect(err).NotTo(MatchError(analysis.ErrFailed))
		})

		It("does not start when it already ended", func() {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := runner.Run(ctx, canary, strict)
			Expect(err).To(MatchError(context.Canceled))
			Expect(m.queries).To(BeEmpty())
		})
	})

	DescribeTable("refuses what it cannot judge",
		func(w func(analysis.Window) analysis.Window, cfg analysis.Config, want string) {
			_, err := runner.Run(context.Background(), w(canary), cfg)
			Expect(err).To(MatchError(want))
			Expect(m.queries).To(BeEmpty())
		},
		Entry("no threshold", func(w analysis.Window) analysis.Window { return w }, analysis.Config{MinRequests: 5},
			"analysis: no threshold set (success_rate or latency)"),
		Entry("no new version", func(w analysis.Window) analysis.Window { w.New = analysis.Target{}; return w }, strict,
			"analysis: no new version to measure"),
		Entry("a window shorter than an interval", func(w analysis.Window) analysis.Window { w.Duration = 5 * time.Second; return w }, strict,
			"analysis: a window of 5s holds no interval of 10s"),
	)

	It("runs on the real clock by default", func() {
		var got []string
		runner := analysis.Runner{Metrics: m, Log: func(l string) { got = append(got, l) }}
		ds, err := runner.Run(context.Background(), analysis.Window{New: canary.New, Duration: 60 * ms},
			analysis.Config{Interval: 20 * ms, SuccessRate: analysis.SuccessRate{Min: 0.9}})
		Expect(err).NotTo(HaveOccurred())
		Expect(ds).To(HaveLen(3))
		Expect(got).To(HaveLen(4))
		Expect(ds[2].To.Sub(ds[0].From)).To(Equal(60 * ms))
	})
})
