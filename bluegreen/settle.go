package bluegreen

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// A request that changes something runs to its end once it is on its way, even when the run is
// aborted meanwhile: cut short, CC may or may not apply it, and the engine would not know what
// to undo (a temporary route created without its guid known, a lease taken by an app it never
// heard of, a deployment rolling on that it cannot cancel). After an abort no new such request
// starts. Reads, uploads, staging and every wait stay interruptible: that is where an abort stops
// a run, and what they leave is either the candidate's (removed) or an unused package or droplet.
//
// Each role has its settled wrapper; a flow composes the ones it uses (candidate.settled, ...).
// Every changing method of a role is listed, so a new one cannot slip through unsettled.

// settle runs a change with ctx's deadline but not its cancellation, unless ctx already ended.
func settle(ctx context.Context, change func(context.Context) error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	ctx, cancel := Uninterrupted(ctx)
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

// SettledApps lets app changes finish after an abort.
type SettledApps struct{ Apps }

func (s SettledApps) CreateApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*platform.App, error) {
	return settleValue(ctx, func(ctx context.Context) (*platform.App, error) {
		return s.Apps.CreateApp(ctx, spaceGUID, name, labels, annotations)
	})
}

func (s SettledApps) CreateDockerApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*platform.App, error) {
	return settleValue(ctx, func(ctx context.Context) (*platform.App, error) {
		return s.Apps.CreateDockerApp(ctx, spaceGUID, name, labels, annotations)
	})
}

func (s SettledApps) Update(ctx context.Context, guid, name string, labels, annotations map[string]*string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Apps.Update(ctx, guid, name, labels, annotations) })
}

func (s SettledApps) DeleteApp(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Apps.DeleteApp(ctx, guid) })
}

func (s SettledApps) Start(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Apps.Start(ctx, guid) })
}

func (s SettledApps) Stop(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Apps.Stop(ctx, guid) })
}

func (s SettledApps) SetEnvVars(ctx context.Context, appGUID string, env map[string]*string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Apps.SetEnvVars(ctx, appGUID, env) })
}

// SettledRoutes lets route changes finish after an abort.
type SettledRoutes struct{ Routes }

func (s SettledRoutes) EnsureRoute(ctx context.Context, spaceGUID, domainGUID, host, path string) (platform.Route, error) {
	return settleValue(ctx, func(ctx context.Context) (platform.Route, error) {
		return s.Routes.EnsureRoute(ctx, spaceGUID, domainGUID, host, path)
	})
}

func (s SettledRoutes) Map(ctx context.Context, routeGUID, appGUID, protocol string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Routes.Map(ctx, routeGUID, appGUID, protocol) })
}

func (s SettledRoutes) Unmap(ctx context.Context, routeGUID, appGUID string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Routes.Unmap(ctx, routeGUID, appGUID) })
}

func (s SettledRoutes) DeleteRoute(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Routes.DeleteRoute(ctx, guid) })
}

// SettledBuilds lets a manifest or droplet change finish after an abort. Uploads, docker
// packages and staging stay interruptible: what they leave is an unused package or droplet.
type SettledBuilds struct{ Builds }

func (s SettledBuilds) ApplyManifest(ctx context.Context, spaceGUID string, yaml []byte) error {
	return settle(ctx, func(ctx context.Context) error { return s.Builds.ApplyManifest(ctx, spaceGUID, yaml) })
}

func (s SettledBuilds) SetDroplet(ctx context.Context, appGUID, dropletGUID string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Builds.SetDroplet(ctx, appGUID, dropletGUID) })
}

// SettledDeployments lets deployment changes finish after an abort.
type SettledDeployments struct{ Deployments }

func (s SettledDeployments) CreateDeployment(ctx context.Context, r platform.DeploymentRequest) (platform.Deployment, error) {
	return settleValue(ctx, func(ctx context.Context) (platform.Deployment, error) { return s.Deployments.CreateDeployment(ctx, r) })
}

func (s SettledDeployments) CancelDeployment(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Deployments.CancelDeployment(ctx, guid) })
}

func (s SettledDeployments) ContinueDeployment(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Deployments.ContinueDeployment(ctx, guid) })
}

// Settle wraps the core roles of p; a flow adds its own roles' wrappers.
func Settle(p Platform) Platform {
	return settledPlatform{Spaces: p, Apps: SettledApps{p}, Processes: p, AllProcesses: SettledProcesses{p},
		Routes: SettledRoutes{p}, Builds: SettledBuilds{p}, Logs: p, Metrics: p}
}

type settledPlatform struct {
	Spaces
	Apps
	Processes
	AllProcesses
	Routes
	Builds
	Logs
	Metrics
}

// SettledProcesses lets a scale finish after an abort.
type SettledProcesses struct{ AllProcesses }

func (s SettledProcesses) ScaleProcess(ctx context.Context, processGUID string, sc platform.Scale) error {
	return settle(ctx, func(ctx context.Context) error { return s.AllProcesses.ScaleProcess(ctx, processGUID, sc) })
}

// SettledServices lets a binding finish after an abort.
type SettledServices struct{ Services }

func (s SettledServices) Bind(ctx context.Context, r platform.BindingRequest) (platform.Binding, error) {
	return settleValue(ctx, func(ctx context.Context) (platform.Binding, error) { return s.Services.Bind(ctx, r) })
}

// SettledNetworking lets new network policies finish after an abort.
type SettledNetworking struct{ Networking }

func (s SettledNetworking) AddPolicies(ctx context.Context, ps []platform.Policy) error {
	return settle(ctx, func(ctx context.Context) error { return s.Networking.AddPolicies(ctx, ps) })
}

// SettledTasks lets a task's creation or cancellation finish after an abort: a task created
// without its guid known could not be cancelled.
type SettledTasks struct{ Tasks }

func (s SettledTasks) RunTask(ctx context.Context, r platform.TaskRequest) (platform.Task, error) {
	return settleValue(ctx, func(ctx context.Context) (platform.Task, error) { return s.Tasks.RunTask(ctx, r) })
}

func (s SettledTasks) CancelTask(ctx context.Context, guid string) error {
	return settle(ctx, func(ctx context.Context) error { return s.Tasks.CancelTask(ctx, guid) })
}
