package rollout

import (
	"context"
	"fmt"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// cancelActive cancels the app's ACTIVE deployment and proves the old version serves alone.
// Cancelling brings the app back to one version: an abort lets it finish.
func (r *roller) cancelActive(ctx context.Context) error {
	ctx, cancel := bluegreen.Uninterrupted(ctx)
	defer cancel()
	if r.Live == nil {
		return fmt.Errorf("app %s does not exist: there is no deployment to cancel", r.o.App)
	}
	active, err := r.p.ActiveDeployment(ctx, r.Live.GUID)
	if err != nil {
		return err
	}
	if active == nil {
		r.Log.Note("app %s has no active deployment: nothing to cancel", r.o.App)
		r.dep.Reason = "NONE"
		return r.finish(ctx)
	}
	r.dep = *active
	if r.liveRoutes, err = r.p.AppRoutes(ctx, r.Live.GUID); err != nil {
		return err
	}
	if err := r.Phase(ctx, "cancel deployment "+active.GUID, r.cancelAndVerify); err != nil {
		return err
	}
	r.Leave("deployment %s was cancelled (%s) anyway, and the old version proven to serve alone", active.GUID, r.dep.Reason)
	return r.finish(ctx)
}

// firstPush deploys an app that does not run yet: there is no old version to keep serving, so
// CC starts it directly (as `cf push --strategy` does); the routes are still verified. A failure
// leaves the app as it was: absent, or stopped.
func (r *roller) firstPush(ctx context.Context) error {
	existed := r.Live != nil
	r.Log.Note("app %s is not running: pushing and starting it without a deployment", r.o.App)
	if err := r.o.Hold.AtLeased(ctx); err != nil {
		return err
	}
	if err := r.pushAndStart(ctx); err != nil {
		return r.undoFirstPush(ctx, err, existed)
	}
	if err := r.holdProven(ctx); err != nil {
		return r.undoFirstPush(ctx, err, existed)
	}
	r.Res.FirstPush = true
	r.Res.Status = string(platform.AppStarted)
	return r.finish(ctx)
}

func (r *roller) pushAndStart(ctx context.Context) error {
	steps := append(r.newVersionSteps(r.applyFirst), bluegreen.Step{Name: "start", Do: r.startLive},
		bluegreen.Step{Name: "verify routes", Do: func(ctx context.Context) error {
			return r.ProveServes(ctx, r.liveRoutes, r.Live, max(r.LiveSize.Instances, 1))
		}})
	return r.Steps(ctx, steps)
}

// applyFirst creates (or updates) the app from the manifest with its routes, or APP.DOMAIN.
func (r *roller) applyFirst(ctx context.Context) error {
	routes := r.o.Routes
	if len(routes) == 0 && !r.o.NoRoute {
		routes = []string{bluegreen.HostSafe(r.o.App) + "." + r.DefaultDomain}
	}
	if err := r.applyWith(ctx, routes); err != nil {
		return err
	}
	var err error
	if r.Live, err = r.p.AppByName(ctx, r.Space.GUID, r.o.App); err != nil {
		return err
	}
	if r.Live == nil {
		return fmt.Errorf("app %s missing after applying the manifest", r.o.App)
	}
	r.liveRoutes, err = r.p.AppRoutes(ctx, r.Live.GUID)
	return err
}

// startLive sets the droplet and starts the app, waiting for every instance.
func (r *roller) startLive(ctx context.Context) error {
	if err := r.p.SetDroplet(ctx, r.Live.GUID, r.Res.DropletGUID); err != nil {
		return err
	}
	size, err := r.p.WebProcess(ctx, r.Live.GUID)
	if err != nil {
		return err
	}
	r.LiveSize = size
	if err := r.StartAll(ctx, r.Live); err != nil {
		return err
	}
	return r.Settle(ctx, r.Live, r.o.Settle)
}
