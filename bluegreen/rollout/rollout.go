// Package rollout is the CAPI v3 deployment flow: rolling and canary deployments of new bits,
// and the actions on an app's deployments (restart, cancel, rollback). CAPI never fails a
// deployment by itself and verifies nothing through the routers, so the flow owns the
// deadlines, watches the new instances, proves what the routers serve, and rolls back.
package rollout

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// roller carries one CAPI deployment (rolling or canary) from step to step.
type roller struct {
	*bluegreen.Run
	p          Platform
	o          Options
	prevRev    platform.Revision // the revision deployed before we started
	prevEnv    map[string]string
	oldProcs   []platform.Process
	liveRoutes []platform.Route
	dep        platform.Deployment
	createdAt  time.Time // when dep was asked for: the old version served alone until then
	paced      bool      // dep is a paced rolling deployment (PaceVerified)
	target     int       // the web instances dep ends with
	ahead      ahead     // dep's proofs started before CC reaches their state
	id         string    // this run's deploy id, on the deployments it creates
	// releaseLease stops renewing dep's lease (lease.go)
	releaseLease func()
}

// Rollout runs o.Action on the app with a CAPI deployment: deploy new bits (the default),
// restart, cancel the active deployment, or roll back to a revision.
//
// A failure or an abort is reconciled from the deployment's state on CC (reconcile.go): before
// the deployment exists the env vars the manifest changed are put back; while it is ACTIVE it is
// cancelled and the old version proven to serve alone; once CAPI finished it, a failure rolls
// back to the previous revision and an abort leaves the new one serving. The error then wraps
// bluegreen.ErrAborted and says what the app was left in.
func Rollout(ctx context.Context, p Platform, pr bluegreen.Prober, o Options, log *bluegreen.Timeline) (bluegreen.Result, error) {
	o.LeaseTTL = cmp.Or(o.LeaseTTL, defaultLeaseTTL)
	r := &roller{Run: bluegreen.NewRun(ctx, settled(p), pr, o.Target, o.Timeouts, log), p: settled(p), o: o,
		id: bluegreen.NewID(), releaseLease: func() {}}
	ctx, cancel := context.WithTimeout(ctx, o.Timeouts.Overall)
	defer cancel()
	if err := r.Resolve(ctx); err != nil {
		return r.Res, r.Outcome(err)
	}
	r.NoteTarget()
	if err := bluegreen.MaintenanceSettled(r.Live); err != nil {
		return r.Res, err
	}
	err := r.run(ctx)
	return r.Res, r.Outcome(err)
}

func (r *roller) run(ctx context.Context) error {
	if r.o.Action == bluegreen.ActionCancel {
		return r.cancelActive(ctx)
	}
	if err := r.sameLifecycle(); err != nil {
		return err
	}
	unlock, err := r.lockForRelease(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if !r.Live.Started() {
		if r.o.Action != bluegreen.ActionDeploy {
			return fmt.Errorf("app %s is not running: there is nothing to %s", r.o.App, r.o.Action)
		}
		return r.firstPush(ctx)
	}
	// Nothing changes before the manifest is applied: these are not Steps, whose errors name the step.
	if err := r.Phase(ctx, "wait for other deployments", r.awaitNoActive); err != nil {
		return err
	}
	if err := r.Phase(ctx, "record the deployed revision", r.snapshot); err != nil {
		return err
	}
	if err := r.o.Hold.AtLeased(ctx); err != nil { // a release of several apps: every lease first
		return err
	}
	if err := r.deploy(ctx); err != nil {
		return r.reconcile(ctx, err)
	}
	return r.finishDeployed(ctx)
}

// deploy prepares what to deploy, deploys it, proves it, and observes it.
func (r *roller) deploy(ctx context.Context) error {
	req, err := r.request(ctx)
	if err != nil {
		return err
	}
	if err := r.deployAndVerify(ctx, req); err != nil {
		return err
	}
	r.At("observe")
	if err := r.Log.Step("observe", func() error { return r.Observe(ctx, r.liveRoutes, r.o.Observe, r.analysisWindow()) }); err != nil {
		return fmt.Errorf("observe: %w", r.Failed(ctx, err))
	}
	return r.holdProven(ctx)
}

// holdProven waits, in a release of several apps, until every app is proven: an error there is
// a failure of this deploy, undone like any other.
func (r *roller) holdProven(ctx context.Context) error {
	if !r.o.Hold.Holds() {
		return nil
	}
	r.At("wait for the other apps")
	if err := r.Log.Step("wait for the other apps", func() error { return r.o.Hold.AtProven(ctx) }); err != nil {
		return fmt.Errorf("wait for the other apps: %w", r.Failed(ctx, err))
	}
	return nil
}

// analysisWindow is what params.analysis compares once CAPI finished: the new web process's
// requests, and the old web process's over the same length of time before the deployment
// began (it is gone since).
func (r *roller) analysisWindow() analysis.Window {
	w := analysis.Window{New: analysis.Target{AppGUID: r.Live.GUID, ProcessGUID: newest(r.dep)}}
	if len(r.oldProcs) > 0 {
		w.Old, w.BaselineEnd = analysis.Target{AppGUID: r.Live.GUID, ProcessGUID: r.oldProcs[0].GUID}, r.createdAt
	}
	return w
}

// request prepares what to deploy: new bits (staged on the live app), the current droplet
// (restart), or a revision (rollback).
func (r *roller) request(ctx context.Context) (platform.DeploymentRequest, error) {
	req := platform.DeploymentRequest{AppGUID: r.Live.GUID, Strategy: r.o.Strategy, MaxInFlight: r.o.MaxInFlight,
		CanarySteps: r.o.CanarySteps}
	switch r.o.Action {
	case bluegreen.ActionRestart:
		return req, nil
	case bluegreen.ActionRollback:
		rev, err := r.rollbackTarget(ctx)
		req.RevisionGUID = rev.GUID
		return req, err
	}
	if err := r.Steps(ctx, r.newVersionSteps(r.applyToLive)); err != nil {
		return req, err
	}
	req.DropletGUID = r.Res.DropletGUID
	return req, nil
}

// settle waits, once CAPI finished, until every process runs (CAPI restarts the non-web ones all
// at once as it finishes) and none crashes for params.settle: a crashing worker fails the deploy
// and rolls back like a crashing web process.
func (r *roller) settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeoutCause(ctx, r.o.Timeouts.Startup,
		fmt.Errorf("processes were not all running after %s (params.startup_timeout)", r.o.Timeouts.Startup))
	defer cancel()
	b := poll.New()
	for {
		done, err := r.AllRunning(ctx, r.Live)
		if err != nil {
			return err
		}
		if done {
			return r.Settle(ctx, r.Live, r.o.Settle)
		}
		if err := b.Wait(ctx); err != nil {
			return err
		}
	}
}

func (r *roller) deployAndVerify(ctx context.Context, req platform.DeploymentRequest) error {
	defer r.ahead.stop()
	defer func() { r.releaseLease() }()
	return r.Steps(ctx, []bluegreen.Step{
		{Name: "create " + string(req.Strategy) + " deployment", Do: func(ctx context.Context) error { return r.create(ctx, req) }},
		{Name: "roll out", Do: r.watch},
		{Name: "settle", Do: r.settle},
		{Name: "verify only the new version serves", Do: r.verifyOnlyNew},
	})
}
