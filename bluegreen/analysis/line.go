package analysis

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// ErrFailed is an analysis that judged the new version worse than its thresholds allow (or
// whose probes failed an interval the figures could not decide): the deploy rolls back.
var ErrFailed = errors.New("analysis failed")

// Line is the decision as one timeline line, e.g.
//
//	analysis 2/6: new 99.2% ok, p95 120ms, 250 req; old 99.9% ok, p95 100ms, 240 req: pass
func (d Decision) Line() string {
	return "analysis" + d.position(" ") + ": " + d.Figures() + ": " + d.outcome()
}

// String is the Line.
func (d Decision) String() string { return d.Line() }

// Figures are what the routers measured of both versions in the interval.
func (d Decision) Figures() string {
	old := "no old version"
	if d.HaveOld {
		old = "old " + d.stats(d.Old)
	}
	return "new " + d.stats(d.New) + "; " + old
}

// Err is the decision as the error that ends the analysis (wrapping ErrFailed and the probes'
// error), nil when the interval passed.
func (d Decision) Err() error {
	switch {
	case d.Verdict == Fail:
		return fmt.Errorf("%w%s: %s: %s", ErrFailed, d.position(" at "), d.Figures(), d.Reason)
	case d.Verdict == Inconclusive && d.ProbeErr != nil:
		return fmt.Errorf("%w%s: %s: %s, and the probes failed: %w", ErrFailed, d.position(" at "), d.Figures(), d.Reason, d.ProbeErr)
	}
	return nil
}

func (d Decision) position(prefix string) string {
	if d.Of == 0 {
		return ""
	}
	return fmt.Sprintf("%s%d/%d", prefix, d.Index, d.Of)
}

func (d Decision) outcome() string {
	if d.Verdict == Inconclusive {
		switch {
		case d.NoProbes:
			return d.Reason + ": no probes to decide: pass"
		case !d.Probed:
			return d.Reason + ": probes decide"
		case d.ProbeErr != nil:
			return d.Reason + ": probes decide: fail: " + d.ProbeErr.Error()
		}
		return d.Reason + ": probes decide: pass"
	}
	out := string(d.Verdict)
	if d.Verdict == Fail {
		out += ": " + d.Reason
	}
	if d.Skipped != "" {
		out += "; " + d.Skipped
	}
	return out
}

func (d Decision) stats(s platform.RequestStats) string {
	if s.Requests == 0 {
		return "0 req"
	}
	return fmt.Sprintf("%s ok, %s %s, %d req", floorPct(s.SuccessRate()), label(d.Percentile), dur(s.Latency), s.Requests)
}

// floorPct shows a measured rate rounded down to a tenth of a percent, so a rate below a
// threshold never reads as equal to it (98.96% against 99.0% reads 98.9%, not 99.0%), and a
// rate short of 100% never reads 100.0%. The small addend undoes float error (0.948 is
// 947.999… thousandths).
func floorPct(v float64) string {
	return fmt.Sprintf("%.1f%%", math.Floor(v*1000+1e-6)/10)
}

// exactPct shows a threshold as given, at least to a tenth: 0.99 is 99.0%, 0.9995 is 99.95%.
func exactPct(v float64) string { return exact(v*100) + "%" }

// exactPoints shows a difference of rates as given, in points: 0.01 is 1.0.
func exactPoints(v float64) string { return exact(v * 100) }

// ceilPoints shows a measured drop rounded up, so a drop above a threshold never reads as
// equal to it.
func ceilPoints(v float64) string { return fmt.Sprintf("%.1f", math.Ceil(v*1000-1e-6)/10) }

func exact(v float64) string {
	s := strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// ceilRatio shows a measured ratio rounded up to a tenth; exactRatio a threshold as given.
func ceilRatio(v float64) string      { return fmt.Sprintf("%.1fx", math.Ceil(v*10-1e-6)/10) }
func exactRatio(v float64) string     { return strconv.FormatFloat(v, 'f', -1, 64) + "x" }
func label(percentile float64) string { return "p" + strconv.FormatFloat(percentile, 'f', -1, 64) }

// dur shows a latency to three significant digits: 120ms, 1.23ms, 850µs, 1.23s.
func dur(d time.Duration) string {
	unit := time.Duration(1)
	for d/unit >= 1000 {
		unit *= 10
	}
	return d.Round(unit).String()
}

// durAbove shows a latency above a limit, in full when rounding would make it read as the
// limit (500.3ms against 500ms).
func durAbove(d, limit time.Duration) string {
	if s := dur(d); s != dur(limit) {
		return s
	}
	return d.String()
}
