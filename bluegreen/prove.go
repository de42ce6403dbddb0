package bluegreen

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// ProbeRoute is what the prober needs of a route.
func ProbeRoute(r platform.Route) probe.Route { return probe.Route{Host: r.Hostname(), Path: r.Path} }

// AppBackend is every instance of an app (X-CF-App-Instance).
func AppBackend(appGUID string, instances int) probe.Backend {
	return probe.Backend{AppGUID: appGUID, Instances: max(instances, 1)}
}

// ProcessBackend is every instance of one process (X-CF-Process-Instance).
func ProcessBackend(processGUID string, instances int) probe.Backend {
	return probe.Backend{ProcessGUID: processGUID, Instances: max(instances, 1)}
}

// AwaitPresent proves through the routers that every instance of the backend serves the route.
func (r *Run) AwaitPresent(ctx context.Context, rt platform.Route, b probe.Backend, late string) (probe.Result, error) {
	return r.await(ctx, r.Probe.AwaitPresent, rt, b, "serves", late)
}

// AwaitAbsent proves that no router sends the route to the backend any more.
func (r *Run) AwaitAbsent(ctx context.Context, rt platform.Route, b probe.Backend, late string) (probe.Result, error) {
	return r.await(ctx, r.Probe.AwaitAbsent, rt, b, "is gone from", late)
}

// AppPresent and AppAbsent are AwaitPresent and AwaitAbsent for every instance of an app.
func (r *Run) AppPresent(ctx context.Context, rt platform.Route, appGUID string, instances int) (probe.Result, error) {
	return r.AwaitPresent(ctx, rt, AppBackend(appGUID, instances), "routers did not all serve it")
}

func (r *Run) AppAbsent(ctx context.Context, rt platform.Route, appGUID string, instances int) (probe.Result, error) {
	return r.AwaitAbsent(ctx, rt, AppBackend(appGUID, instances), "routers still served it")
}

type awaitFunc func(context.Context, probe.Route, probe.Backend) (probe.Result, error)

// await runs one verification with the verify timeout, naming what was being proven.
func (r *Run) await(ctx context.Context, f awaitFunc, rt platform.Route, b probe.Backend, what, late string) (probe.Result, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, r.Timeouts.Verify,
		fmt.Errorf("%s within %s (params.verify_timeout)", late, r.Timeouts.Verify))
	defer cancel()
	res, err := f(ctx, ProbeRoute(rt), b)
	if err != nil {
		return res, fmt.Errorf("verify %s %s %s: %w", b.AppGUID+b.ProcessGUID, what, rt.URL, err)
	}
	return res, nil
}

// ProveServes proves every instance of app serves every route, recording the cost.
func (r *Run) ProveServes(ctx context.Context, routes []platform.Route, app *platform.App, instances int) error {
	for _, rt := range routes {
		res, err := r.AppPresent(ctx, rt, app.GUID, instances)
		if err != nil {
			return err
		}
		r.Res.Verified = append(r.Res.Verified, Verification{Route: rt.URL, Probes: res.Probes, Elapsed: res.Elapsed})
		r.Log.Note("%s serves %s on every router (%d probes, %s)", app.Name, rt.URL, res.Probes, Round(res.Elapsed))
	}
	return nil
}

// observeByChecks runs o.Check on every route each o.Interval for o.Duration; more than
// o.FailureLimit failed checks fail it.
func (r *Run) observeByChecks(ctx context.Context, routes []platform.Route, o *Observation) error {
	failures := 0
	end := time.Now().Add(o.Duration)
	for time.Now().Before(end) {
		failures += r.checkAll(ctx, routes, o)
		if failures > o.FailureLimit {
			return fmt.Errorf("%d failed checks in the observation window (params.observe.failure_limit %d)", failures, o.FailureLimit)
		}
		if err := poll.Sleep(ctx, o.Interval); err != nil {
			return err
		}
	}
	return nil
}

// checkAll runs o.Check once on every route and counts the failures, each logged.
func (r *Run) checkAll(ctx context.Context, routes []platform.Route, o *Observation) int {
	failures := 0
	for _, rt := range routes {
		if _, err := r.Probe.RunCheck(ctx, ProbeRoute(rt), o.Check); err != nil {
			failures++
			r.Log.Fail("observation: %s: %v", rt.URL, err)
		}
	}
	return failures
}

// checkRound is one round of o.Check on every route, for an analysis interval with too few
// requests: a failure on any route fails it.
func (r *Run) checkRound(ctx context.Context, routes []platform.Route, o *Observation) error {
	if n := r.checkAll(ctx, routes, o); n > 0 {
		return fmt.Errorf("%d of %d observation checks failed", n, len(routes))
	}
	return nil
}

// Routed parts routes the gorouters serve from internal ones (apps.internal), which they never
// serve: those cannot be proven through them, only given time.
func (r *Run) Routed(routes []platform.Route) (routed, internal []platform.Route) {
	for _, rt := range routes {
		if r.isInternal(rt) {
			internal = append(internal, rt)
		} else {
			routed = append(routed, rt)
		}
	}
	return routed, internal
}

func (r *Run) isInternal(rt platform.Route) bool {
	for _, d := range r.Domains {
		if d.GUID == rt.DomainGUID {
			return d.Internal
		}
	}
	return false
}
