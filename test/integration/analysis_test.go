package integration_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// analysisManifest is the world's app with the test app's fault knobs: a share of its answers
// 500s, and time added to each.
const analysisManifest = baseManifest + `    ERROR_RATE: "((error_rate))"
    LATENCY: "((latency))"
`

// analysisWorld runs v1 of the app, 10 ms slow and without errors, on a foundation whose CAPI
// updater ticks every 500 ms.
func analysisWorld() *world {
	w := newWorldWith(500 * time.Millisecond)
	w.write("manifest.yml", analysisManifest)
	r := w.out(w.faulty("v1", "", "10ms", map[string]any{"strategy": "rolling"}))
	Expect(r.code).To(Equal(0), r.stderr)
	w.waitServing("v1")
	return w
}

// faulty is a put of version with the fault knobs set and extra params.
func (w *world) faulty(version, errorRate, latency string, extra map[string]any) map[string]any {
	params := map[string]any{"vars": map[string]any{"version": version, "error_rate": errorRate, "latency": latency}}
	for k, v := range extra {
		params[k] = v
	}
	return w.request(version, params)
}

// judged is a canary of one new instance held for 4 s, judged every 2 s by the routers' metrics.
func judged(analysis map[string]any) map[string]any {
	return map[string]any{"strategy": "canary", "canary_pause": "4s", "analysis": analysis}
}

var (
	successRate = map[string]any{"interval": "2s", "min_requests": 20, "success_rate": map[string]any{"min": 0.99}}
	latencyRate = map[string]any{"interval": "2s", "min_requests": 20, "latency": map[string]any{"percentile": 95, "max_ratio": 2}}
)

// twoLoads is two load generators on the app's route: enough requests for every interval to
// reach min_requests on one canary instance, however busy the machine.
type twoLoads struct{ a, b *load }

func (w *world) heavyLoad() twoLoads { return twoLoads{w.startLoad(), w.startLoad()} }

// expectNoFailures stops both and returns the app's answers, by version and status, of both.
func (l twoLoads) expectNoFailures() map[string]int {
	out := l.a.expectNoFailures()
	for k, n := range l.b.expectNoFailures() {
		out[k] += n
	}
	return out
}

var _ = Describe("out: canary and observation judged by the routers' metrics (params.analysis)", func() {
	var w *world
	BeforeEach(func() { w = analysisWorld() })

	// expectRolledBack asserts the deploy failed on analysis, with its figures, and v1 serves.
	expectRolledBack := func(r run, reason string) {
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("analysis failed at 1/2"))
		Expect(firstLine(r.stderr)).To(ContainSubstring(reason))
		Expect(r.stderr).To(MatchRegexp(`analysis 1/2: new [0-9.]+% ok, p95 [0-9.]+m?s, [0-9]+ req; old [0-9.]+% ok`), "the figures, old against new")
		w.waitServing("v1")
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
	}

	It("rolls back a canary whose new version answers 5% 500s, on its success rate", func() {
		l := w.heavyLoad()
		r := w.out(w.faulty("v2", "0.05", "10ms", judged(successRate)))
		versions := l.expectNoFailures() // no request failed but the ones the app was told to fail
		Expect(versions).To(HaveKey("v2 (500)"))
		expectRolledBack(r, "(analysis.success_rate.min)")
	})

	It("rolls back a canary three times slower than the old version, on its latency", func() {
		l := w.heavyLoad()
		r := w.out(w.faulty("v2", "", "30ms", judged(latencyRate)))
		l.expectNoFailures()
		expectRolledBack(r, "(analysis.latency.max_ratio)")
	})

	It("lets a healthy canary through, each interval one line, and sums the analysis up in the metadata", func() {
		l := w.heavyLoad()
		r := w.out(w.faulty("v2", "", "10ms", judged(map[string]any{"interval": "2s", "min_requests": 20,
			"success_rate": map[string]any{"min": 0.99, "max_drop": 0.01}, "latency": map[string]any{"max_ratio": 2}})))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(l.expectNoFailures()).NotTo(HaveKey("v2 (500)"))
		Expect(r.stderr).To(MatchRegexp(`analysis 2/2: new 100.0% ok, p95 [0-9.]+m?s, [0-9]+ req; old 100.0% ok, p95 [0-9.]+m?s, [0-9]+ req: pass`))
		md := metadataOf(r.stdout)
		Expect(md).To(HaveKeyWithValue("analysis", "2 intervals: 2 passed, 0 decided by probes, 0 failed"))
		w.waitServing("v2")
	})

	It("falls back to its own probes when too few requests come, and says so", func() {
		r := w.out(w.faulty("v2", "", "10ms", judged(successRate)))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stderr).To(ContainSubstring("req < min_requests 20: probes decide: pass"))
		Expect(metadataOf(r.stdout)).To(HaveKeyWithValue("analysis", "2 intervals: 0 passed, 2 decided by probes, 0 failed"))
	})

	It("switches a blue-green deploy back when the observation's analysis fails", func() {
		l := w.heavyLoad()
		r := w.out(w.faulty("v2", "0.05", "10ms", map[string]any{"strategy": "bluegreen",
			"observe": map[string]any{"duration": "4s"}, "analysis": successRate}))
		l.expectNoFailures()
		expectRolledBack(r, "(analysis.success_rate.min)")
		Expect(r.stderr).To(ContainSubstring("switch back"))
		Expect(w.apps()).NotTo(ContainElement(ContainSubstring("candidate")))
	})

	It("refuses a bad analysis in one line naming the field, before any change", func() {
		before := len(w.sim.Requests())
		for field, a := range map[string]map[string]any{
			"params.analysis.success_rate.min":         {"success_rate": map[string]any{"min": 1.5}},
			`params.analysis: unknown metric "errors"`: {"errors": 0.01},
		} {
			r := w.out(w.faulty("v2", "", "", judged(a)))
			Expect(r.code).NotTo(Equal(0))
			Expect(strings.Split(strings.TrimSpace(r.stderr), "\n")).To(HaveLen(1), r.stderr)
			Expect(r.stderr).To(ContainSubstring(field))
		}
		for _, req := range w.sim.Requests()[before:] {
			Expect(req.Mutating()).To(BeFalse(), "bad input changed the foundation: %s %s", req.Method, req.Path)
		}
	})
})
