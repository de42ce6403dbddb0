package rollout

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/go-multierror"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Recovery is one mechanism: reconcile reads the deployment's state on CC (the journal of a
// CAPI deployment is the deployment itself) and brings the app back from there:
//
//   - no deployment was created: the env vars the manifest changed are put back (a running app
//     only takes them at its next start or deployment);
//   - ACTIVE (deploying, paused, canceling): it is cancelled, CC's revert awaited, the old
//     version proven to serve alone, and the env vars put back (CAPI's cancel does not);
//   - DEPLOYED: the old instances are gone. A failure rolls back with a deployment of the
//     previous revision, verified; an abort stops there, the new revision serving alone, since a
//     rollback (a whole new deployment) would outlast Concourse's grace between SIGTERM and
//     SIGKILL (10 s) and be left running halfway.
//
// It runs to its end whatever happens to the run's context.
func (r *roller) reconcile(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.o.Timeouts.Verify+2*r.o.Timeouts.Startup)
	defer cancel()
	if r.dep.GUID != "" {
		// CAPI may have finished while we were stopped: then there is nothing left to cancel.
		if d, err := r.p.Deployment(ctx, r.dep.GUID); err == nil && d.Deployed() {
			r.dep = d
			return r.afterDeployed(ctx, cause)
		}
	}
	r.ReportFailure("deployment", cause, "bringing "+r.o.App+" back to the version it ran")
	if r.AbortedAt() == "" && r.dep.GUID != "" {
		r.PrintEvidence(ctx, r.Live, "cf logs "+r.o.App+" --recent has the rest")
	}
	var cancelErr error
	if r.dep.GUID != "" {
		cancelErr = r.Log.Step("cancel the deployment", func() error { return r.cancelAndVerify(ctx) })
	}
	envErr := r.restoreEnv(ctx)
	r.Res.RolledBack = r.dep.GUID != ""
	r.Leave("%s", r.cancelled(cancelErr, envErr))
	if cleanup := multierror.Append(&multierror.Error{}, cancelErr, envErr).ErrorOrNil(); cleanup != nil {
		return bluegreen.Unrecovered(fmt.Errorf("%w (and rolling back failed: %v)", cause, bluegreen.Flatten(cleanup)))
	}
	return cause
}

// cancelled says what reconcile left, for an abort's report.
func (r *roller) cancelled(cancelErr, envErr error) string {
	env := "the env vars the manifest changed were put back"
	if envErr != nil {
		env = fmt.Sprintf("putting back the env vars the manifest changed failed (%v)", envErr)
	}
	switch {
	case r.dep.GUID == "":
		return fmt.Sprintf("no deployment was created and %s: revision %d serves, as before", env, r.prevRev.Version)
	case cancelErr != nil:
		return fmt.Sprintf("cancelling deployment %s failed (%v) and %s; the next run waits for the deployment to end", r.dep.GUID, cancelErr, env)
	}
	return fmt.Sprintf("deployment %s was cancelled (%s) and %s: revision %d serves alone, as before, proven on every router",
		r.dep.GUID, r.dep.Reason, env, r.prevRev.Version)
}

// restoreEnv puts back env vars the manifest or params changed, which a cancel leaves changed.
func (r *roller) restoreEnv(ctx context.Context) error {
	if r.prevEnv == nil {
		return nil
	}
	now, err := r.p.EnvVars(ctx, r.Live.GUID)
	if err != nil || maps.Equal(now, r.prevEnv) {
		return err
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
	if err := r.p.SetEnvVars(ctx, r.Live.GUID, patch); err != nil {
		return err
	}
	r.Log.Note("restored %d env vars the deployment had changed (CAPI's cancel does not)", len(patch))
	return nil
}

// afterDeployed reconciles a deployment CAPI finished: a failure rolls back, an abort stops.
func (r *roller) afterDeployed(ctx context.Context, cause error) error {
	if r.AbortedAt() == "" {
		r.PrintEvidence(ctx, r.Live, "cf logs "+r.o.App+" --recent has the rest")
		return r.rollBack(ctx, cause)
	}
	r.Log.Fail("%v at %s: CAPI had already replaced every instance; not rolling back", r.AbortErr(), r.AbortedAt())
	if err := r.finishDeployed(ctx); err != nil {
		return bluegreen.Unrecovered(fmt.Errorf("%w (and reading the deployed revision failed: %v)", cause, err))
	}
	return bluegreen.Unrecovered(cause) // the new revision serves
}

// finishDeployed records the finished deployment on the app and in the result, even when an
// abort arrived meanwhile, and says what an abort leaves.
func (r *roller) finishDeployed(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.o.Timeouts.Verify)
	defer cancel()
	cut := "its observation was cut short"
	if r.AbortedAt() != "observe" {
		cut = "its proof through the routers was cut short"
	}
	if r.AbortedAt() == "" {
		cut = "verified"
	}
	r.Leave("deployment %s had finished: revision %d serves alone (%s); action: rollback goes back to revision %d",
		r.dep.GUID, r.dep.RevisionVersion, cut, r.prevRev.Version)
	return r.finish(ctx)
}

// rollBack undoes a finished deployment with a new deployment of the previous revision,
// verified the same way.
func (r *roller) rollBack(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.o.Timeouts.Overall)
	defer cancel()
	r.Log.Fail("%v: rolling back to revision %d", cause, r.prevRev.Version)
	req := platform.DeploymentRequest{AppGUID: r.Live.GUID, Strategy: platform.StrategyRolling, MaxInFlight: r.o.MaxInFlight,
		RevisionGUID: r.prevRev.GUID}
	r.o.CanarySteps = nil
	if err := r.deployAndVerify(ctx, req); err != nil {
		return bluegreen.Unrecovered(fmt.Errorf("%w (and rolling back failed: %v)", cause, err))
	}
	r.Res.RolledBack = true
	return fmt.Errorf("%w; rolled back to revision %d, verified", cause, r.prevRev.Version)
}

// undoFirstPush leaves an app that did not run before this first push as it was: absent, or
// stopped.
func (r *roller) undoFirstPush(ctx context.Context, cause error, existed bool) error {
	r.Leave("%s was not running before this first push, and is not now", r.o.App)
	cleanup := r.Log.Step("stop the failed app", func() error {
		switch {
		case r.Live == nil:
			return nil
		case !existed:
			return r.p.DeleteApp(context.WithoutCancel(ctx), r.Live.GUID)
		}
		return r.p.Stop(context.WithoutCancel(ctx), r.Live.GUID)
	})
	if cleanup != nil {
		r.Leave("stopping %s, which was not running before, failed (%v)", r.o.App, cleanup)
		return bluegreen.Unrecovered(fmt.Errorf("%w (and cleaning up failed: %v)", cause, cleanup))
	}
	return cause
}
