package bluegreen

import (
	"context"
	"io"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// The roles the flows ask of the Cloud Controller, one interface per kind of resource. Each flow
// declares the union it needs (candidate.Platform, rollout.Platform, ...); *cf.Client plays
// every role, and so does the fake foundation of the unit suites.

// Spaces resolves where a flow works.
type Spaces interface {
	Space(ctx context.Context, org, space string) (platform.Space, error)
	Domains(ctx context.Context) (map[string]platform.Domain, error) // by name
	DefaultDomain(ctx context.Context, orgGUID string) (guid, name string, err error)
}

// Apps reads and changes apps and their metadata.
type Apps interface {
	AppByName(ctx context.Context, spaceGUID, name string) (*platform.App, error)
	App(ctx context.Context, guid string) (*platform.App, error)
	AppsWithLabel(ctx context.Context, spaceGUID, key, value string) ([]*platform.App, error)
	CreateApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*platform.App, error)
	// CreateDockerApp creates an app of the docker lifecycle, which runs images: CC never
	// changes an app's lifecycle type later, so the app a docker image runs in is made so.
	CreateDockerApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*platform.App, error)
	Update(ctx context.Context, guid, name string, labels, annotations map[string]*string) error
	DeleteApp(ctx context.Context, guid string) error
	Start(ctx context.Context, guid string) error
	Stop(ctx context.Context, guid string) error
	EnvVars(ctx context.Context, guid string) (map[string]string, error)
	SetEnvVars(ctx context.Context, appGUID string, env map[string]*string) error
}

// Processes reads an app's processes and their instances.
type Processes interface {
	WebProcess(ctx context.Context, appGUID string) (platform.Process, error)
	WebProcesses(ctx context.Context, appGUID string) ([]platform.Process, error)
	Instances(ctx context.Context, appGUID string) ([]platform.Instance, error)
	ProcessInstances(ctx context.Context, processGUID string) ([]platform.Instance, error)
	CrashReasons(ctx context.Context, appGUID string) ([]string, error)
}

// Routes finds, creates, maps and deletes routes.
type Routes interface {
	AppRoutes(ctx context.Context, appGUID string) ([]platform.Route, error)
	Route(ctx context.Context, guid string) (platform.Route, error)
	EnsureRoute(ctx context.Context, spaceGUID, domainGUID, host, path string) (platform.Route, error)
	Map(ctx context.Context, routeGUID, appGUID, protocol string) error // protocol "" = CC's default
	Unmap(ctx context.Context, routeGUID, appGUID string) error
	DeleteRoute(ctx context.Context, guid string) error
}

// Builds turns a manifest and bits into a droplet on an app.
type Builds interface {
	ApplyManifest(ctx context.Context, spaceGUID string, yaml []byte) error
	Upload(ctx context.Context, appGUID string, write func(io.Writer) error) (string, error)
	UploadFiles(ctx context.Context, appGUID string, files platform.AppFiles) (string, platform.UploadStats, error)
	// CreateDockerPackage makes a package of a docker app from an image reference (and the
	// registry's credentials) instead of bits; it stages like any package.
	CreateDockerPackage(ctx context.Context, appGUID string, image platform.DockerImage) (string, error)
	Stage(ctx context.Context, pkgGUID string) (string, error)
	UploadDroplet(ctx context.Context, appGUID string, processTypes map[string]string, write func(io.Writer) error) (string, error)
	SetDroplet(ctx context.Context, appGUID, dropletGUID string) error
	DeployedRevision(ctx context.Context, appGUID string) (string, error)
}

// Quotas says how much memory a space can still start.
type Quotas interface {
	FreeMemory(ctx context.Context, s platform.Space) (platform.Headroom, error)
}

// Deployments is the Cloud Controller's deployment API (CAPI v3), for rolling and canary.
type Deployments interface {
	CreateDeployment(ctx context.Context, r platform.DeploymentRequest) (platform.Deployment, error)
	Deployment(ctx context.Context, guid string) (platform.Deployment, error)
	ActiveDeployment(ctx context.Context, appGUID string) (*platform.Deployment, error)
	CancelDeployment(ctx context.Context, guid string) error
	ContinueDeployment(ctx context.Context, guid string) error
	// AnnotateDeployment sets (or, for nil values, removes) annotations on a deployment.
	AnnotateDeployment(ctx context.Context, guid string, annotations map[string]*string) error
	Revisions(ctx context.Context, appGUID string) ([]platform.Revision, error)
}

// Platform is what the core itself uses; every flow needs at least this much.
type Platform interface {
	Spaces
	Apps
	Processes
	AllProcesses
	Routes
	Builds
	Logs
	Metrics
}

// Prober proves through the routers what a route serves; *probe.Prober implements it.
type Prober interface {
	AwaitPresent(ctx context.Context, r probe.Route, b probe.Backend) (probe.Result, error)
	AwaitAbsent(ctx context.Context, r probe.Route, b probe.Backend) (probe.Result, error)
	RunCheck(ctx context.Context, r probe.Route, c probe.Check) (probe.CheckResult, error)
}

// The roles below carry the whole app from one version to the next: its other process types,
// its service bindings, its network policies, and what it logged.

// AllProcesses reads and scales every process type of an app.
type AllProcesses interface {
	AppProcesses(ctx context.Context, appGUID string) ([]platform.Process, error) // every type
	TypeInstances(ctx context.Context, appGUID, processType string) ([]platform.Instance, error)
	ScaleProcess(ctx context.Context, processGUID string, s platform.Scale) error
}

// Services reads and makes an app's service bindings.
type Services interface {
	ServiceInstance(ctx context.Context, spaceGUID, name string) (*platform.ServiceInstance, error) // nil when none
	Bindings(ctx context.Context, appGUID string) ([]platform.Binding, error)                       // type app
	// BindingParameters are the parameters a binding was made with, when CC can give them
	// back (a managed instance whose broker fetches bindings); ok is false when it cannot.
	BindingParameters(ctx context.Context, bindingGUID string) (params map[string]any, ok bool, err error)
	// Bind makes a binding and waits until CC (and an asynchronous broker) finished it.
	Bind(ctx context.Context, r platform.BindingRequest) (platform.Binding, error)
}

// Networking reads and makes container-to-container network policies.
type Networking interface {
	Policies(ctx context.Context, appGUID string) ([]platform.Policy, error) // where the app is source or destination
	AddPolicies(ctx context.Context, ps []platform.Policy) error
}

// Logs reads an app's recent log lines (Log Cache), oldest first, at most limit of them.
type Logs interface {
	RecentLogs(ctx context.Context, appGUID string, limit int) ([]platform.LogLine, error)
}

// Metrics reads what the routers measured of an app's requests (Log Cache's PromQL over the
// gorouter's http timers).
type Metrics interface {
	RequestStats(ctx context.Context, q platform.MetricsQuery) (platform.RequestStats, error)
}

// Tasks runs one-off tasks (a migration) on an app's droplet.
type Tasks interface {
	RunTask(ctx context.Context, r platform.TaskRequest) (platform.Task, error)
	Task(ctx context.Context, guid string) (platform.Task, error)
	CancelTask(ctx context.Context, guid string) error
}
