package bluegreen

import (
	"context"
	"fmt"
)

// cancelActive cancels the app's ACTIVE deployment and proves the old version serves alone.
// Cancelling brings the app back to one version: an abort lets it finish.
func (r *roller) cancelActive(ctx context.Context) error {
	ctx, cancel := uninterrupted(ctx)
	defer cancel()
	if r.live == nil {
		return fmt.Errorf("app %s does not exist: there is no deployment to cancel", r.plan.App)
	}
	active, err := r.dp.ActiveDeployment(ctx, r.live.GUID)
	if err != nil {
		return err
	}
	if active == nil {
		r.log.Note("app %s has no active deployment: nothing to cancel", r.plan.App)
		r.dep.Reason = "NONE"
		return r.finish(ctx)
	}
	r.dep = *active
	if r.liveRoutes, err = r.p.AppRoutes(ctx, r.live.GUID); err != nil {
		return err
	}
	r.step = "cancel deployment " + active.GUID
	if err := r.log.Step(r.step, func() error { return r.cancelAndVerify(ctx) }); err != nil {
		return err
	}
	r.left = fmt.Sprintf("deployment %s was cancelled (%s) anyway, and the old version proven to serve alone", active.GUID, r.dep.Reason)
	return r.finish(ctx)
}

// firstPush deploys an app that does not run yet: there is no old version to keep serving, so
// CC starts it directly (as `cf push --strategy` does); the routes are still verified.
func (r *roller) firstPush(ctx context.Context) error {
	existed := r.live != nil
	r.log.Note("app %s is not running: pushing and starting it without a deployment", r.plan.App)
	err := r.pushAndStart(ctx)
	if err == nil {
		r.res.FirstPush = true
		r.res.Status = "STARTED"
		return r.finish(ctx)
	}
	r.left = fmt.Sprintf("%s was not running before this first push, and is not now", r.plan.App)
	cleanup := r.log.Step("stop the failed app", func() error {
		if !existed && r.live != nil {
			return r.p.DeleteApp(context.WithoutCancel(ctx), r.live.GUID)
		}
		if r.live != nil {
			return r.p.Stop(context.WithoutCancel(ctx), r.live.GUID)
		}
		return nil
	})
	if cleanup != nil {
		r.left = fmt.Sprintf("stopping %s, which was not running before, failed (%v)", r.plan.App, cleanup)
		return fmt.Errorf("%w (and cleaning up failed: %v)", err, cleanup)
	}
	return err
}

func (r *roller) pushAndStart(ctx context.Context) error {
	steps := append([]step{{"apply manifest", r.applyFirst}}, r.bitsSteps()...)
	steps = append(steps, step{"start", r.startLive},
		step{"verify routes", func(ctx context.Context) error { return r.proveServes(ctx, r.live) }})
	return r.runSteps(ctx, steps)
}

// applyFirst creates (or updates) the app from the manifest with its routes, or APP.DOMAIN.
func (r *roller) applyFirst(ctx context.Context) error {
	routes := r.plan.ManifestRoutes
	if len(routes) == 0 && !r.plan.NoRoute {
		routes = []string{hostSafe(r.plan.App) + "." + r.defDomain}
	}
	yaml, err := r.plan.Manifest.Render(r.plan.App, routes, mergeEnv(r.plan.ManifestEnv, r.plan.Env))
	if err != nil {
		return err
	}
	if err := r.p.ApplyManifest(ctx, r.space.GUID, yaml); err != nil {
		return err
	}
	if r.live, err = r.p.AppByName(ctx, r.space.GUID, r.plan.App); err != nil {
		return err
	}
	if r.live == nil {
		return fmt.Errorf("app %s missing after applying the manifest", r.plan.App)
	}
	r.liveRoutes, err = r.p.AppRoutes(ctx, r.live.GUID)
	return err
}

// startLive sets the droplet and starts the app, waiting for every instance (the blue-green
// candidate's start step, on the app itself).
func (r *roller) startLive(ctx context.Context) error {
	if err := r.p.SetDroplet(ctx, r.live.GUID, r.res.DropletGUID); err != nil {
		return err
	}
	return r.startApp(ctx, r.live)
}
