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
func Rollout(ctx context.Context, p Deployer, pr Prober, plan Plan, log *Timeline) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, plan.Timeouts.Overall)
	defer cancel()
	r := &roller{deployer: deployer{p: p, pr: pr, plan: plan, log: log, noJournal: true}, dp: p}
	if err := r.target(ctx); err != nil {
		return r.res, err
	}
	log.Note("target %s/%s: %s", plan.Org, plan.Space, r.liveState())
	err := r.run(ctx)
	return r.res, err
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
	if err := r.log.Step("wait for other deployments", func() error { return r.awaitNoActive(ctx) }); err != nil {
		return err
	}
	if err := r.log.Step("record the deployed revision", func() error { return r.snapshot(ctx) }); err != nil {
		return err
	}
	req, err := r.request(ctx)
	if err != nil {
		return err
	}
	if err := r.deployAndVerify(ctx, req); err != nil {
		return r.recoverRollout(ctx, err)
	}
	if err := r.log.Step("observe", func() error { return r.observe(ctx) }); err != nil {
		return r.rollBack(ctx, fmt.Errorf("observe: %w", err))
	}
	return r.finish(ctx)
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
	for _, s := range append([]step{{"apply manifest", r.applyToLive}}, r.bitsSteps()...) {
		if err := r.log.Step(s.name, func() error { return s.f(ctx) }); err != nil {
			return req, r.restoreEnv(ctx, fmt.Errorf("%s: %w", s.name, err))
		}
	}
	req.DropletGUID = r.res.DropletGUID
	return req, nil
}

func (r *roller) deployAndVerify(ctx context.Context, req cf.DeploymentRequest) error {
	steps := []step{
		{"create " + r.plan.Strategy + " deployment", func(ctx context.Context) error { return r.create(ctx, req) }},
		{"roll out", r.watch},
		{"verify only the new version serves", r.verifyOnlyNew},
	}
	for _, s := range steps {
		if err := r.log.Step(s.name, func() error { return s.f(ctx) }); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// recoverRollout cancels a deployment that is still ACTIVE, proves the old version serves
// alone again, and puts back env vars the manifest changed (CAPI's cancel does not).
func (r *roller) recoverRollout(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.plan.Timeouts.Verify+2*r.plan.Timeouts.Startup)
	defer cancel()
	r.log.Fail("deployment failed: %v", cause)
	errs := &multierror.Error{}
	if r.dep.GUID != "" {
		errs = multierror.Append(errs, r.log.Step("cancel the deployment", func() error { return r.cancelAndVerify(ctx) }))
	}
	errs = multierror.Append(errs, r.restoreEnv(ctx, nil))
	r.res.RolledBack = true
	if cleanup := errs.ErrorOrNil(); cleanup != nil {
		return fmt.Errorf("%w (and rolling back failed: %v)", cause, flatten(cleanup))
	}
	return cause
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
