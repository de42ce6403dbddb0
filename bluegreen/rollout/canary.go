package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// canaryStep proves through the routers that the canary instances serve every route (with
// X-CF-Process-Instance), runs the smoke checks against them, and holds the step for
// canary_pause under observation.
func (r *roller) canaryStep(ctx context.Context, d platform.Deployment) error {
	canary := newest(d)
	if canary == "" {
		return fmt.Errorf("canary step %d/%d: deployment %s reports no new process", d.CanaryStep, d.CanarySteps, d.GUID)
	}
	insts, err := r.p.ProcessInstances(ctx, canary)
	if err != nil {
		return err
	}
	for _, rt := range r.liveRoutes {
		res, err := r.AwaitPresent(ctx, rt, bluegreen.ProcessBackend(canary, len(insts)), "the canary was not served")
		if err != nil {
			return fmt.Errorf("canary step %d/%d: %w", d.CanaryStep, d.CanarySteps, err)
		}
		r.Log.Note("canary step %d/%d: %d new instances serve %s on every router (%d probes, %s)",
			d.CanaryStep, d.CanarySteps, len(insts), rt.URL, res.Probes, bluegreen.Round(res.Elapsed))
	}
	if err := r.targetedChecks(ctx, canary); err != nil {
		return fmt.Errorf("canary step %d/%d: %w", d.CanaryStep, d.CanarySteps, err)
	}
	return r.holdCanary(ctx, canary)
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
		if err := bluegreen.Sleep(ctx, time.Second); err != nil {
			return err
		}
	}
	return nil
}
