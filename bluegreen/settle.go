package bluegreen

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// settledPlatform lets a request that changes something run to its end once it is on its way,
// even when the deploy is aborted meanwhile: cut short, CC may or may not apply it, and the
// engine would not know what to undo (a temporary route created without its guid known, a
// lease taken by an app it never heard of, a deployment rolling on that it cannot cancel).
// After an abort no new such request starts. Reads, uploads, staging and every wait stay
// interruptible: that is where an abort stops a deploy, and what they leave is either the
// candidate's (removed) or an unused package or droplet.
type settledPlatform struct{ Platform }

// settle runs a change with ctx's deadline but not its cancellation, unless ctx already ended.
func settle(ctx context.Context, change func(context.Context) error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	ctx, cancel := uninterrupted(ctx)
	defer cancel()
	return change(ctx)
}

func settleValue[T any](ctx context.Context, change func(context.Context) (T, error)) (T, error) {
	var v T
	err := settle(ctx, func(ctx context.Context) error {
		var err error
		v, err = change(ctx)
		return err
	})
	return v, err
}

func (s settledPlatform) CreateApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*cf.App, error) {
	return settleValue(ctx, func(ctx context.Context) (*cf.App, error) {
		return s.Platform.CreateApp(ctx, spaceGUID, name, labels, annotations)
	})
}

func (s settledPlatform) Update(ctx context.Context, guid, name string, labels, annotations map[string]*string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.Update(ctx, guid, name, labels, annotations) })
}

func (s settledPlatform) DeleteApp(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.DeleteApp(ctx, guid) })
}

func (s settledPlatform) Start(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.Start(ctx, guid) })
}

func (s settledPlatform) Stop(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.Stop(ctx, guid) })
}

func (s settledPlatform) ApplyManifest(ctx context.Context, spaceGUID string, yaml []byte) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.ApplyManifest(ctx, spaceGUID, yaml) })
}

func (s settledPlatform) SetDroplet(ctx context.Context, appGUID, dropletGUID string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.SetDroplet(ctx, appGUID, dropletGUID) })
}

func (s settledPlatform) EnsureRoute(ctx context.Context, spaceGUID, domainGUID, host, path string) (cf.Route, error) {
	return settleValue(ctx, func(ctx context.Context) (cf.Route, error) {
		return s.Platform.EnsureRoute(ctx, spaceGUID, domainGUID, host, path)
	})
}

func (s settledPlatform) Map(ctx context.Context, routeGUID, appGUID string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.Map(ctx, routeGUID, appGUID) })
}

func (s settledPlatform) Unmap(ctx context.Context, routeGUID, appGUID string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.Unmap(ctx, routeGUID, appGUID) })
}

func (s settledPlatform) DeleteRoute(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Platform.DeleteRoute(ctx, guid) })
}

// settledDeployer is settledPlatform for CAPI deployments. Every Deployer method is listed, so a
// new one cannot slip through unsettled without a decision.
type settledDeployer struct {
	settledPlatform
	dp Deployer
}

func settleDeployer(dp Deployer) settledDeployer {
	return settledDeployer{settledPlatform: settledPlatform{dp}, dp: dp}
}

func (s settledDeployer) CreateDeployment(ctx context.Context, r cf.DeploymentRequest) (cf.Deployment, error) {
	return settleValue(ctx, func(ctx context.Context) (cf.Deployment, error) { return s.dp.CreateDeployment(ctx, r) })
}

func (s settledDeployer) CancelDeployment(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.dp.CancelDeployment(ctx, guid) })
}

func (s settledDeployer) ContinueDeployment(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.dp.ContinueDeployment(ctx, guid) })
}

func (s settledDeployer) SetEnvVars(ctx context.Context, appGUID string, env map[string]*string) error {
	return settle(ctx, func(ctx context.Context) error { return s.dp.SetEnvVars(ctx, appGUID, env) })
}

// The reads stay interruptible.

func (s settledDeployer) Deployment(ctx context.Context, guid string) (cf.Deployment, error) {
	return s.dp.Deployment(ctx, guid)
}

func (s settledDeployer) ActiveDeployment(ctx context.Context, appGUID string) (*cf.Deployment, error) {
	return s.dp.ActiveDeployment(ctx, appGUID)
}

func (s settledDeployer) ProcessInstances(ctx context.Context, processGUID string) ([]cf.Instance, error) {
	return s.dp.ProcessInstances(ctx, processGUID)
}

func (s settledDeployer) WebProcesses(ctx context.Context, appGUID string) ([]cf.Process, error) {
	return s.dp.WebProcesses(ctx, appGUID)
}

func (s settledDeployer) Revisions(ctx context.Context, appGUID string) ([]cf.Revision, error) {
	return s.dp.Revisions(ctx, appGUID)
}
