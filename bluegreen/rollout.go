package bluegreen

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// roller carries one CAPI deployment (rolling or canary) from step to step. CAPI never fails
// a deployment by itself and verifies nothing through the routers, so the roller owns the
// deadlines, watches the new instances, proves what the routers serve, and rolls back.
type roller struct {
	deployer
	dp       Deployer
	prevRev  cf.Revision // the revision deployed before we started
	prevEnv  map[string]string
	oldProcs []cf.Process
	dep      cf.Deployment
}

// Rollout runs plan.Action on the app with a CAPI deployment: deploy new bits (the default),
// restart, cancel the active deployment, or roll back to a revision.
//
// An abort (ctx canceled) before the deployment exists puts back the env vars the manifest
// changed; while it is ACTIVE cancels it and proves the old version serves alone; once CAPI has
// finished it leaves the new revision serving (see afterDeployed). The error then wraps
// ErrAborted and says what the app was left in.
func Rollout(ctx context.Context, p Deployer, pr Prober, plan Plan, log *Timeline) (Result, error) {
	caller := ctx
	ctx, cancel := context.WithTimeout(ctx, plan.Timeouts.Overall)
	defer cancel()
	settled := settleDeployer(p)
	r := &roller{deployer: deployer{p: settled, pr: pr, plan: plan, log: log, noJournal: true, caller: caller,
		stopLease: func() {}}, dp: settled}
	r.step = "target"
	if err := r.target(ctx); err != nil {
		return r.res, r.outcome(r.failed(ctx, err))
	}
	log.Note("target %s/%s: %s", plan.Org, plan.Space, r.liveState())
	err := r.run(ctx)
	return r.res, r.outcome(err)
}

func (r *roller) run(ctx context.Context) error {
	if r.plan.Action == "cancel" {
		return r.cancelActive(ctx)
	}
	if r.live == nil || r.live.State != "STARTED" {
		if r.plan.Action != "" {
			return fmt.Errorf("app %s is not running: there is nothing to %s", r.plan.App, r.plan.Action)
		}
		return r.firstPush(ctx)
	}
	// Nothing changes before the manifest is applied: these are not runSteps, whose errors name the step.
	for _, s := range []step{{"wait for other deployments", r.awaitNoActive}, {"record the deployed revision", r.snapshot}} {
		r.step = s.name
		if err := r.log.Step(s.name, func() error { return s.f(ctx) }); err != nil {
			return r.failed(ctx, err)
		}
	}
	req, err := r.request(ctx)
	if err != nil {
		return err
	}
	if err := r.deployAndVerify(ctx, req); err != nil {
		return r.recoverRollout(ctx, err)
	}
	r.step = "observe"
	if err := r.log.Step("observe", func() error { return r.observe(ctx) }); err != nil {
		return r.afterDeployed(ctx, fmt.Errorf("observe: %w", r.failed(ctx, err)))
	}
	return r.finishDeployed(ctx)
}

// request prepares what to deploy: new bits (staged on the live app), the current droplet
// (restart), or a revision (rollback).
func (r *roller) request(ctx context.Context) (cf.DeploymentRequest, error) {
	req := cf.DeploymentRequest{AppGUID: r.live.GUID, Strategy: r.plan.Strategy, MaxInFlight: r.plan.MaxInFlight,
		CanarySteps: r.plan.CanarySteps}
	switch r.plan.Action {
	case "restart":
		return req, nil
	case "rollback":
		rev, err := r.rollbackTarget(ctx)
		req.RevisionGUID = rev.GUID
		return req, err
	}
	if err := r.runSteps(ctx, append([]step{{"apply manifest", r.applyToLive}}, r.bitsSteps()...)); err != nil {
		return req, r.undoManifest(ctx, err)
	}
	req.DropletGUID = r.res.DropletGUID
	return req, nil
}

// undoManifest puts back the env vars the manifest changed on the live app when no deployment
// was created (a running app only takes them at its next start or deployment).
func (r *roller) undoManifest(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.plan.Timeouts.Verify)
	defer cancel()
	if err := r.restoreEnv(ctx, nil); err != nil {
		r.left = fmt.Sprintf("no deployment was created, but putting back the env vars the manifest changed failed (%v): revision %d serves", err, r.prevRev.Version)
		return fmt.Errorf("%w (and restoring env vars failed: %v)", cause, err)
	}
	r.left = fmt.Sprintf("no deployment was created and the env vars the manifest changed were put back: revision %d serves, as before", r.prevRev.Version)
	return cause
}

func (r *roller) deployAndVerify(ctx context.Context, req cf.DeploymentRequest) error {
	return r.runSteps(ctx, []step{
		{"create " + r.plan.Strategy + " deployment", func(ctx context.Context) error { return r.create(ctx, req) }},
		{"roll out", r.watch},
		{"verify only the new version serves", r.verifyOnlyNew},
	})
}

// recoverRollout cancels a deployment that is still ACTIVE, proves the old version serves
// alone again, and puts back env vars the manifest changed (CAPI's cancel does not). It runs to
// its end whatever happens to the deploy's context.
func (r *roller) recoverRollout(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.plan.Timeouts.Verify+2*r.plan.Timeouts.Startup)
	defer cancel()
	if r.dep.GUID != "" {
		// CAPI may have finished while we were stopped: then there is nothing left to cancel.
		if d, err := r.dp.Deployment(ctx, r.dep.GUID); err == nil && d.Value == "FINALIZED" && d.Reason == "DEPLOYED" {
			r.dep = d
			return r.afterDeployed(ctx, cause)
		}
	}
	if r.abortedAt != "" {
		r.log.Fail("%v at %s: bringing %s back to the version it ran", r.abortErr(), r.abortedAt, r.plan.App)
	} else {
		r.log.Fail("deployment failed: %v", cause)
	}
	var cancelErr error
	if r.dep.GUID != "" {
		cancelErr = r.log.Step("cancel the deployment", func() error { return r.cancelAndVerify(ctx) })
	}
	envErr := r.restoreEnv(ctx, nil)
	r.res.RolledBack = true
	r.left = r.cancelled(cancelErr, envErr)
	if cleanup := multierror.Append(&multierror.Error{}, cancelErr, envErr).ErrorOrNil(); cleanup != nil {
		return fmt.Errorf("%w (and rolling back failed: %v)", cause, flatten(cleanup))
	}
	return cause
}

// cancelled says what recoverRollout left, for an abort's report.
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

// afterDeployed handles a failure or an abort once CAPI has finished the deployment: the old
// instances are gone, so there is nothing to cancel. A failure rolls back with a deployment of
// the previous revision, verified. An abort stops there: the new revision already serves alone,
// and rolling back (a whole new deployment) would outlast Concourse's grace between SIGTERM and
// SIGKILL (10 s) and be left running halfway.
func (r *roller) afterDeployed(ctx context.Context, cause error) error {
	if r.abortedAt == "" {
		return r.rollBack(ctx, cause)
	}
	r.log.Fail("%v at %s: CAPI had already replaced every instance; not rolling back", r.abortErr(), r.abortedAt)
	if err := r.finishDeployed(ctx); err != nil {
		return fmt.Errorf("%w (and reading the deployed revision failed: %v)", cause, err)
	}
	return cause
}

// finishDeployed records the finished deployment on the app and in the result, even when an
// abort arrived meanwhile, and says what an abort leaves.
func (r *roller) finishDeployed(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.plan.Timeouts.Verify)
	defer cancel()
	cut := "its observation was cut short"
	if r.abortedAt != "observe" {
		cut = "its proof through the routers was cut short"
	}
	if r.abortedAt == "" {
		cut = "verified"
	}
	r.left = fmt.Sprintf("deployment %s had finished: revision %d serves alone (%s); action: rollback goes back to revision %d",
		r.dep.GUID, r.dep.RevisionVersion, cut, r.prevRev.Version)
	return r.finish(ctx)
}

// rollBack undoes a finished deployment with a new deployment of the previous revision,
// verified the same way.
func (r *roller) rollBack(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.plan.Timeouts.Overall)
	defer cancel()
	r.log.Fail("%v: rolling back to revision %d", cause, r.prevRev.Version)
	req := cf.DeploymentRequest{AppGUID: r.live.GUID, Strategy: "rolling", MaxInFlight: r.plan.MaxInFlight,
		RevisionGUID: r.prevRev.GUID}
	r.plan.CanarySteps, r.plan.Strategy = nil, "rolling"
	if err := r.deployAndVerify(ctx, req); err != nil {
		return fmt.Errorf("%w (and rolling back failed: %v)", cause, err)
	}
	r.res.RolledBack = true
	return fmt.Errorf("%w; rolled back to revision %d, verified", cause, r.prevRev.Version)
}
