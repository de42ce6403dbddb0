package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// pause handles a deployment CAPI paused for us (a canary step, or paced rolling's first
// instance): it proves through the routers that the new instances serve every route (with
// X-CF-Process-Instance), unless a proof made while CAPI was getting there already did; runs the
// smoke checks against them; and holds a canary step for canary_pause under observation.
func (r *roller) pause(ctx context.Context, d platform.Deployment) error {
	name := r.pauseName(d)
	canary := newest(d)
	if canary == "" {
		return fmt.Errorf("%s: deployment %s reports no new process", name, d.GUID)
	}
	insts, err := r.p.ProcessInstances(ctx, canary)
	if err != nil {
		return err
	}
	if _, ok := r.ahead.pauseProof(ctx, d.CanaryStep, len(insts)); !ok {
		if _, err := r.proveCanary(ctx, canary, len(insts), name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := r.targetedChecks(ctx, canary); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if r.paced {
		r.Log.Note("%s: every router knows a new instance; CAPI goes on at max_in_flight %d", name, r.o.MaxInFlight)
		return nil
	}
	return r.holdCanary(ctx, canary)
}

// proveCanary proves that the process's instances serve every live route on every router.
func (r *roller) proveCanary(ctx context.Context, process string, instances int, name string) ([]bluegreen.Verification, error) {
	var proved []bluegreen.Verification
	for _, rt := range r.liveRoutes {
		res, err := r.AwaitPresent(ctx, rt, bluegreen.ProcessBackend(process, instances), "the new instances were not served")
		if err != nil {
			return nil, err
		}
		r.Log.Note("%s: %d new %s serve %s on every router (%d probes, %s)",
			name, instances, plural(instances, "instance"), rt.URL, res.Probes, bluegreen.Round(res.Elapsed))
		proved = append(proved, bluegreen.Verification{Route: rt.URL, Probes: res.Probes, Elapsed: res.Elapsed})
	}
	return proved, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// targetedChecks runs the smoke checks against one process through the routers.
func (r *roller) targetedChecks(ctx context.Context, process string) error {
	return r.checksOn(ctx, process, r.o.Checks)
}

// checksOn runs checks against one process through the routers.
func (r *roller) checksOn(ctx context.Context, process string, checks []probe.Check) error {
	if len(r.liveRoutes) == 0 {
		return nil
	}
	for _, c := range checks {
		c.Headers = map[string]string{"X-CF-Process-Instance": process}
		if _, err := r.Probe.RunCheck(ctx, bluegreen.ProbeRoute(r.liveRoutes[0]), c); err != nil {
			return fmt.Errorf("smoke check: %w", err)
		}
	}
	return nil
}

func (r *roller) holdCanary(ctx context.Context, canary string) error {
	if r.o.Analysis != nil {
		return r.analyzeCanary(ctx, canary)
	}
	end := time.Now().Add(r.o.CanaryPause)
	for time.Now().Before(end) {
		if err := r.targetedChecks(ctx, canary); err != nil {
			return fmt.Errorf("during canary_pause: %w", err)
		}
		if err := poll.Sleep(ctx, time.Second); err != nil {
			return err
		}
	}
	return nil
}

// analyzeCanary judges a canary step over canary_pause by the routers' metrics: the canary
// process's requests against the old process's, over the same intervals. An interval with too
// few requests is decided by the smoke checks against the canary (or, without any, one check
// of its root), through the routers.
func (r *roller) analyzeCanary(ctx context.Context, canary string) error {
	w := analysis.Window{New: analysis.Target{AppGUID: r.Live.GUID, ProcessGUID: canary}, Duration: r.o.CanaryPause}
	if len(r.oldProcs) > 0 {
		w.Old = analysis.Target{AppGUID: r.Live.GUID, ProcessGUID: r.oldProcs[0].GUID}
	}
	checks := r.o.Checks
	if len(checks) == 0 {
		checks = []probe.Check{{Path: "/", Successes: 1, FailureLimit: 1}}
	}
	return r.Analyze(ctx, *r.o.Analysis, w, func(ctx context.Context) error { return r.checksOn(ctx, canary, checks) })
}
