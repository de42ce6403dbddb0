package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Verdict is an interval's outcome.
type Verdict string

const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	// Inconclusive: too few requests reached the new version for its figures to mean
	// anything; the caller's probes decide the interval instead.
	Inconclusive Verdict = "inconclusive"
)

// Decision is one interval's judgment, with the figures it was made on.
type Decision struct {
	Index, Of   int       // the interval, of how many (set by the Runner; 0 for a lone Judge)
	From, To    time.Time // the new version's window (set by the Runner)
	Verdict     Verdict
	New, Old    platform.RequestStats
	HaveOld     bool    // there is an old version, and Old holds its figures
	Percentile  float64 // of the latencies in New and Old
	MinRequests int
	Reason      string // the breached thresholds (Fail), or why the figures do not count (Inconclusive)
	Skipped     string // which thresholds were not applied and why; "" when all were
	Probed      bool   // Inconclusive, and the probes ran
	NoProbes    bool   // Inconclusive, and the caller had no probes to run: it passed on nothing
	ProbeErr    error  // the probes' failure, when they ran and failed
}

// epsilon absorbs the rounding of a difference of two rates, so a drop of exactly max_drop
// passes as the threshold says ("at most").
const epsilon = 1e-9

// Judge decides an interval from the new version's figures and, when haveOld, the old
// version's over the same length of time.
func Judge(cfg Config, newStats, oldStats platform.RequestStats, haveOld bool) Decision {
	cfg = cfg.WithDefaults()
	d := Decision{Verdict: Pass, New: newStats, Old: oldStats, HaveOld: haveOld,
		Percentile: cfg.Latency.Percentile, MinRequests: cfg.MinRequests}
	if newStats.Requests < cfg.MinRequests {
		d.Verdict = Inconclusive
		d.Reason = fmt.Sprintf("%d req < min_requests %d", newStats.Requests, cfg.MinRequests)
		return d
	}
	breaches := absolute(cfg, newStats)
	if skip, why := unfair(cfg, oldStats, haveOld); skip {
		d.Skipped = "relative thresholds skipped" + why
	} else {
		var skipped []string
		breaches, skipped = relative(cfg, newStats, oldStats, breaches)
		d.Skipped = strings.Join(skipped, "; ")
	}
	if len(breaches) > 0 {
		d.Verdict, d.Reason = Fail, strings.Join(breaches, "; ")
	}
	return d
}

// absolute checks the thresholds that need no old version.
func absolute(cfg Config, n platform.RequestStats) []string {
	var out []string
	if m := cfg.SuccessRate.Min; m > 0 && n.SuccessRate() < m {
		out = append(out, fmt.Sprintf("success rate %s < %s (analysis.success_rate.min)", floorPct(n.SuccessRate()), exactPct(m)))
	}
	if m := cfg.Latency.Max; m > 0 && n.Latency > m {
		out = append(out, fmt.Sprintf("%s %s > %s (analysis.latency.max)", label(cfg.Latency.Percentile), durAbove(n.Latency, m), dur(m)))
	}
	return out
}

// unfair reports relative thresholds that cannot be applied, and why (the line already says
// when there is no old version): comparing with a handful of requests would fail or pass on
// noise.
func unfair(cfg Config, old platform.RequestStats, haveOld bool) (bool, string) {
	switch {
	case !cfg.relative():
		return false, ""
	case !haveOld:
		return true, ""
	case old.Requests < cfg.MinRequests:
		return true, fmt.Sprintf(": old %d req < min_requests %d", old.Requests, cfg.MinRequests)
	}
	return false, ""
}

// relative checks the thresholds that compare with the old version, appending to breaches.
func relative(cfg Config, n, o platform.RequestStats, breaches []string) (_ []string, skipped []string) {
	if m := cfg.SuccessRate.MaxDrop; m > 0 && o.SuccessRate()-n.SuccessRate() > m+epsilon {
		breaches = append(breaches, fmt.Sprintf("success rate %s is %s points below the old %s, more than %s (analysis.success_rate.max_drop)",
			floorPct(n.SuccessRate()), ceilPoints(o.SuccessRate()-n.SuccessRate()), floorPct(o.SuccessRate()), exactPoints(m)))
	}
	r, p := cfg.Latency.MaxRatio, label(cfg.Latency.Percentile)
	switch {
	case r == 0:
	case o.Latency <= 0: // no ratio to an old latency of nothing
		skipped = append(skipped, fmt.Sprintf("analysis.latency.max_ratio skipped: old %s 0s", p))
	case float64(n.Latency) > float64(o.Latency)*r:
		breaches = append(breaches, fmt.Sprintf("%s %s is %s the old %s, more than %s (analysis.latency.max_ratio)",
			p, dur(n.Latency), ceilRatio(float64(n.Latency)/float64(o.Latency)), dur(o.Latency), exactRatio(r)))
	}
	return breaches, skipped
}
