package bluegreen

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// watch follows the deployment to DEPLOYED with our own deadline: new instances that crash,
// cannot be placed, or make no progress for the startup timeout fail it; each canary pause is
// verified through the routers before it continues.
func (r *roller) watch(ctx context.Context) error {
	progress, best, verified := time.Now(), -1, 0
	for {
		d, err := r.dp.Deployment(ctx, r.dep.GUID)
		if err != nil {
			return err
		}
		r.dep = d
		switch {
		case d.Value == "FINALIZED" && d.Reason == "DEPLOYED":
			return nil
		case d.Value == "FINALIZED":
			return fmt.Errorf("the deployment ended %s, not DEPLOYED (another deployment or a user changed it)", d.Reason)
		case d.Reason == "PAUSED" && d.CanaryStep > verified:
			if err := r.canaryStep(ctx, d); err != nil {
				return err
			}
			verified, progress = d.CanaryStep, time.Now()
			if err := r.dp.ContinueDeployment(ctx, d.GUID); err != nil {
				return err
			}
		}
		running, err := r.newInstances(ctx, d)
		if err != nil {
			return err
		}
		if running > best {
			best, progress = running, time.Now()
		}
		if time.Since(progress) > r.plan.Timeouts.Startup {
			return fmt.Errorf("no new instance became RUNNING for %s (params.startup_timeout); deployment %s/%s %s",
				r.plan.Timeouts.Startup, d.Value, d.Reason, d.Error)
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
	}
}

// newInstances counts the new process's RUNNING instances and fails fast on a crash or a
// placement error: CAPI would wait forever.
func (r *roller) newInstances(ctx context.Context, d cf.Deployment) (int, error) {
	running := 0
	for _, guid := range d.NewProcesses {
		insts, err := r.dp.ProcessInstances(ctx, guid)
		if err != nil {
			return 0, err
		}
		for _, in := range insts {
			switch {
			case in.State == "CRASHED":
				reasons, _ := r.p.CrashReasons(ctx, r.live.GUID)
				r.printCrashes(lastN(reasons, 4))
				return 0, fmt.Errorf("new instance %d crashed; instances: %s", in.Index, describe(insts))
			case in.State == "DOWN" && in.Details != "":
				return 0, fmt.Errorf("new instance %d cannot be placed: %s", in.Index, in.Details)
			case in.State == "RUNNING":
				running++
			}
		}
	}
	return running, nil
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// canaryStep proves through the routers that the canary instances serve every route (with
// X-CF-Process-Instance), runs the smoke checks against them, and holds the step for
// canary_pause under observation.
func (r *roller) canaryStep(ctx context.Context, d cf.Deployment) error {
	canary := d.NewProcesses[len(d.NewProcesses)-1]
	insts, err := r.dp.ProcessInstances(ctx, canary)
	if err != nil {
		return err
	}
	for _, rt := range r.liveRoutes {
		res, err := r.await(ctx, r.pr.AwaitPresent, rt, processBackend(canary, len(insts)), "serves", "the canary was not served")
		if err != nil {
			return fmt.Errorf("canary step %d/%d: %w", d.CanaryStep, d.CanarySteps, err)
		}
		r.log.Note("canary step %d/%d: %d new instances serve %s on every router (%d probes, %s)",
			d.CanaryStep, d.CanarySteps, len(insts), rt.URL, res.Probes, round(res.Elapsed))
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
	for _, c := range r.plan.Checks {
		c.Headers = map[string]string{"X-CF-Process-Instance": process}
		if _, err := r.pr.RunCheck(ctx, probeRoute(r.liveRoutes[0]), c); err != nil {
			return fmt.Errorf("smoke check: %w", err)
		}
	}
	return nil
}

func (r *roller) holdCanary(ctx context.Context, canary string) error {
	end := time.Now().Add(r.plan.CanaryPause)
	for time.Now().Before(end) {
		if err := r.targetedChecks(ctx, canary); err != nil {
			return fmt.Errorf("during canary_pause: %w", err)
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
	return nil
}

// verifyOnlyNew proves that on every route the new process serves and no old web process does.
func (r *roller) verifyOnlyNew(ctx context.Context) error {
	newProc := r.dep.NewProcesses[len(r.dep.NewProcesses)-1]
	insts, err := r.dp.ProcessInstances(ctx, newProc)
	if err != nil {
		return err
	}
	for _, rt := range r.liveRoutes {
		res, err := r.await(ctx, r.pr.AwaitPresent, rt, processBackend(newProc, len(insts)), "serves", "the new version was not served")
		if err != nil {
			return err
		}
		for _, old := range r.oldProcs {
			if _, err := r.await(ctx, r.pr.AwaitAbsent, rt, processBackend(old.GUID, old.Instances), "is gone from", "the old version was still served"); err != nil {
				return err
			}
		}
		r.res.Verified = append(r.res.Verified, Verification{Route: rt.URL, Probes: res.Probes, Elapsed: res.Elapsed})
		r.log.Note("only the new version serves %s on every router", rt.URL)
	}
	return nil
}

// cancelAndVerify cancels an ACTIVE deployment, waits until CC finished reverting it, and
// proves the old process serves every route alone.
func (r *roller) cancelAndVerify(ctx context.Context) error {
	d, err := r.dp.Deployment(ctx, r.dep.GUID)
	if err != nil {
		return err
	}
	if d.Value == "ACTIVE" {
		if err := r.dp.CancelDeployment(ctx, d.GUID); err != nil {
			return err
		}
	}
	for d.Value == "ACTIVE" {
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for the cancel to finish: %w", err)
		}
		if d, err = r.dp.Deployment(ctx, d.GUID); err != nil {
			return err
		}
	}
	r.dep = d
	return r.verifyOldAlone(ctx, d.NewProcesses)
}

func (r *roller) verifyOldAlone(ctx context.Context, newProcs []string) error {
	procs, err := r.dp.WebProcesses(ctx, r.live.GUID)
	if err != nil || len(procs) == 0 {
		return fmt.Errorf("after the cancel the app has no web process: %v", err)
	}
	old := procs[0]
	for _, rt := range r.liveRoutes {
		if _, err := r.await(ctx, r.pr.AwaitPresent, rt, processBackend(old.GUID, old.Instances), "serves", "the old version was not served"); err != nil {
			return err
		}
		for _, p := range newProcs {
			if _, err := r.await(ctx, r.pr.AwaitAbsent, rt, probe.Backend{ProcessGUID: p, Instances: 1}, "is gone from", "the new version was still served"); err != nil {
				return err
			}
		}
		r.log.Note("the old version serves %s alone again on every router", rt.URL)
	}
	return nil
}

// restoreEnv puts back env vars the manifest or params changed, which a cancel leaves changed.
// It returns cause (the error being handled) unless restoring itself fails.
func (r *roller) restoreEnv(ctx context.Context, cause error) error {
	if r.prevEnv == nil {
		return cause
	}
	now, err := r.p.EnvVars(ctx, r.live.GUID)
	if err != nil {
		return firstNonNil(cause, err)
	}
	if maps.Equal(now, r.prevEnv) {
		return cause
	}
	patch := map[string]*string{}
	for k := range now {
		if _, ok := r.prevEnv[k]; !ok {
			patch[k] = nil
		}
	}
	for k, v := range r.prevEnv {
		if now[k] != v {
			patch[k] = &v
		}
	}
	if err := r.dp.SetEnvVars(ctx, r.live.GUID, patch); err != nil {
		return firstNonNil(cause, err)
	}
	r.log.Note("restored %d env vars the deployment had changed (CAPI's cancel does not)", len(patch))
	return cause
}

func firstNonNil(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
