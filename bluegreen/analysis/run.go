package analysis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// Metrics reads what the routers measured of an app's (or process's) requests; the engine's
// Metrics port (bluegreen.Metrics) is one.
type Metrics interface {
	RequestStats(ctx context.Context, q platform.MetricsQuery) (platform.RequestStats, error)
}

// Target is a version whose requests are measured: an app, or one process of it (a CAPI
// deployment's new web process beside the old one).
type Target struct {
	AppGUID     string
	ProcessGUID string // "" for every process of the app
}

// Window is what an analysis measures, and for how long.
type Window struct {
	New Target
	Old Target // AppGUID "": no old version, so the relative thresholds are skipped
	// Duration is judged in whole intervals; a remainder shorter than one is not judged.
	Duration time.Duration
	// BaselineEnd, when set, measures the old version once, over one interval's length just
	// before it, instead of over each interval beside the new version: after a blue-green
	// cutover the old app takes no traffic left to compare with, so the caller gives the
	// cutover's instant.
	BaselineEnd time.Time
}

// Runner judges a Window interval by interval. Its zero clock is the real one.
type Runner struct {
	Metrics Metrics
	// Probe is the caller's own checks, run for an interval whose figures are inconclusive;
	// nil when there are none (such an interval then passes, and its line says why).
	Probe func(ctx context.Context) error
	Log   func(line string) // one line per interval (and one before the first); nil discards
	// Lag is how long after an interval's end its figures are read: the routers' metrics reach
	// Log Cache a moment after the requests.
	Lag   time.Duration
	Now   func() time.Time                                 // time.Now when nil
	Sleep func(ctx context.Context, d time.Duration) error // poll.Sleep when nil
}

// Run judges every interval of w as it ends and returns the decisions made. It stops at the
// first interval that fails (an error wrapping ErrFailed, carrying the figures), at a metrics
// read that fails, or when ctx ends.
func (r Runner) Run(ctx context.Context, w Window, cfg Config) ([]Decision, error) {
	cfg = cfg.WithDefaults()
	n, err := intervals(w, cfg)
	if err != nil {
		return nil, err
	}
	s := &session{Runner: r, w: w, cfg: cfg}
	s.log(header(w, cfg, n))
	start := s.now()
	var out []Decision
	for i := 1; i <= n; i++ {
		to := start.Add(time.Duration(i) * cfg.Interval)
		d, err := s.interval(ctx, to.Add(-cfg.Interval), to)
		if err != nil {
			return out, fmt.Errorf("analysis %d/%d: %w", i, n, err)
		}
		d.Index, d.Of = i, n
		out = append(out, d)
		s.log(d.Line())
		if err := d.Err(); err != nil {
			return out, err
		}
	}
	return out, nil
}

func intervals(w Window, cfg Config) (int, error) {
	switch {
	case !cfg.HasThreshold():
		return 0, errors.New("analysis: no threshold set (success_rate or latency)")
	case w.New.AppGUID == "":
		return 0, errors.New("analysis: no new version to measure")
	case w.Duration < cfg.Interval:
		return 0, fmt.Errorf("analysis: a window of %s holds no interval of %s", w.Duration, cfg.Interval)
	}
	return int(w.Duration / cfg.Interval), nil
}

func header(w Window, cfg Config, n int) string {
	old := "the old version over the same intervals"
	switch {
	case w.Old.AppGUID == "":
		old = "no old version"
	case !w.BaselineEnd.IsZero():
		old = fmt.Sprintf("the old version over the %s before %s", cfg.Interval, w.BaselineEnd.Format("15:04:05"))
	}
	return fmt.Sprintf("analysis: %d %s of %s (min_requests %d); %s", n, plural(n, "interval"), cfg.Interval, cfg.MinRequests, old)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// session is one Run: its settings, and the old version's baseline once read.
type session struct {
	Runner
	w        Window
	cfg      Config
	baseline *platform.RequestStats
}

// interval waits for [from, to] to end (and its figures to arrive), then judges it.
func (s *session) interval(ctx context.Context, from, to time.Time) (Decision, error) {
	if err := s.until(ctx, to.Add(s.Lag)); err != nil {
		return Decision{}, err
	}
	newStats, err := s.read(ctx, s.w.New, from, to)
	if err != nil {
		return Decision{}, fmt.Errorf("reading the new version's request metrics: %w", err)
	}
	oldStats, err := s.old(ctx, from, to)
	if err != nil {
		return Decision{}, fmt.Errorf("reading the old version's request metrics: %w", err)
	}
	d := Judge(s.cfg, newStats, oldStats, s.w.Old.AppGUID != "")
	d.From, d.To = from, to
	if d.Verdict == Inconclusive && s.Probe == nil {
		d.NoProbes = true
	}
	if d.Verdict == Inconclusive && s.Probe != nil {
		d.Probed, d.ProbeErr = true, s.Probe(ctx)
		if ctx.Err() != nil { // aborted: say so, not how the probes were cut short
			return Decision{}, context.Cause(ctx)
		}
	}
	return d, nil
}

// old reads the old version's figures: over the same window, or the baseline before
// BaselineEnd (read once: that past does not change).
func (s *session) old(ctx context.Context, from, to time.Time) (platform.RequestStats, error) {
	switch {
	case s.w.Old.AppGUID == "":
		return platform.RequestStats{}, nil
	case s.w.BaselineEnd.IsZero():
		return s.read(ctx, s.w.Old, from, to)
	case s.baseline == nil:
		b, err := s.read(ctx, s.w.Old, s.w.BaselineEnd.Add(-s.cfg.Interval), s.w.BaselineEnd)
		if err != nil {
			return b, err
		}
		s.baseline = &b
	}
	return *s.baseline, nil
}

func (s *session) read(ctx context.Context, t Target, from, to time.Time) (platform.RequestStats, error) {
	return s.Metrics.RequestStats(ctx, platform.MetricsQuery{AppGUID: t.AppGUID, ProcessGUID: t.ProcessGUID,
		Start: from, End: to, Percentile: s.cfg.Latency.Percentile})
}

// until waits for the clock to reach t, or for ctx to end.
func (s *session) until(ctx context.Context, t time.Time) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	d := t.Sub(s.now())
	if d <= 0 {
		return nil
	}
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return poll.Sleep(ctx, d)
}

func (s *session) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *session) log(line string) {
	if s.Log != nil {
		s.Log(line)
	}
}
