package bluegreen

import (
	"context"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// MetricsLag is how long after an interval's end its figures are read: the routers' http
// timers reach Log Cache through the loggregator agents, which send in batches, a moment after
// the requests (docs/platform/logs-and-metrics.md).
const MetricsLag = time.Second

// Analyze judges w by the routers' metrics, interval by interval, each decision one timeline
// line; probe decides the intervals with too few requests. A failed interval fails it with the
// figures (wrapping analysis.ErrFailed), and the decisions go into the result.
func (r *Run) Analyze(ctx context.Context, cfg analysis.Config, w analysis.Window, probe func(context.Context) error) error {
	runner := analysis.Runner{Metrics: r.CC, Probe: probe, Lag: MetricsLag, Log: func(line string) { r.Log.Note("%s", line) }}
	decisions, err := runner.Run(ctx, w, cfg)
	r.Res.Analysis = append(r.Res.Analysis, decisions...)
	return err
}

// Observe watches the routes for o.Duration. With o.Analysis the routers' metrics of w judge
// it, and a round of checks decides an interval with too few requests; without, the checks run
// every o.Interval and more than o.FailureLimit failures fail it.
func (r *Run) Observe(ctx context.Context, routes []platform.Route, o *Observation, w analysis.Window) error {
	if o == nil || len(routes) == 0 {
		return nil
	}
	if o.Analysis != nil {
		w.Duration = o.Duration
		return r.Analyze(ctx, *o.Analysis, w, func(ctx context.Context) error { return r.checkRound(ctx, routes, o) })
	}
	return r.observeByChecks(ctx, routes, o)
}
