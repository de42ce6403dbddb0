package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
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
	if len(r.liveRoutes) == 0 {
		return nil
	}
	for _, c := range r.o.Checks {
		c.Headers = map[string]string{"X-CF-Process-Instance": process}
		if _, err := r.Probe.RunCheck(ctx, bluegreen.ProbeRoute(r.liveRoutes[0]), c); err != nil {
			return fmt.Errorf("smoke check: %w", err)
		}
	}
	return nil
}

func (r *roller) holdCanary(ctx context.Context, canary string) error {
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
