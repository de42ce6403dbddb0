package bluegreen

import (
	"context"
	"io"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// Platform is what the engine asks of the Cloud Controller; *cf.Client implements it.
type Platform interface {
	Space(ctx context.Context, org, space string) (cf.Space, error)
	AppByName(ctx context.Context, spaceGUID, name string) (*cf.App, error)
	App(ctx context.Context, guid string) (*cf.App, error)
	AppsWithLabel(ctx context.Context, spaceGUID, key, value string) ([]*cf.App, error)
	CreateApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*cf.App, error)
	Update(ctx context.Context, guid, name string, labels, annotations map[string]*string) error
	DeleteApp(ctx context.Context, guid string) error
	Start(ctx context.Context, guid string) error
	Stop(ctx context.Context, guid string) error
	EnvVars(ctx context.Context, guid string) (map[string]string, error)
	ApplyManifest(ctx context.Context, spaceGUID string, yaml []byte) error
	Upload(ctx context.Context, appGUID string, write func(io.Writer) error) (string, error)
	UploadFiles(ctx context.Context, appGUID string, files cf.AppFiles) (string, cf.UploadStats, error)
	Stage(ctx context.Context, pkgGUID string) (string, error)
	UploadDroplet(ctx context.Context, appGUID string, processTypes map[string]string, write func(io.Writer) error) (string, error)
	SetDroplet(ctx context.Context, appGUID, dropletGUID string) error
	DeployedRevision(ctx context.Context, appGUID string) (string, error)
	WebProcess(ctx context.Context, appGUID string) (cf.Process, error)
	Instances(ctx context.Context, appGUID string) ([]cf.Instance, error)
	CrashReasons(ctx context.Context, appGUID string) ([]string, error)
	AppRoutes(ctx context.Context, appGUID string) ([]cf.Route, error)
	Route(ctx context.Context, guid string) (cf.Route, error)
	Domains(ctx context.Context) (map[string]string, error)
	DefaultDomain(ctx context.Context, orgGUID string) (string, string, error)
	EnsureRoute(ctx context.Context, spaceGUID, domainGUID, host, path string) (cf.Route, error)
	Map(ctx context.Context, routeGUID, appGUID string) error
	Unmap(ctx context.Context, routeGUID, appGUID string) error
	DeleteRoute(ctx context.Context, guid string) error
	FreeMemory(ctx context.Context, s cf.Space) (cf.Headroom, error)
}

// Prober proves through the routers what a route serves; *probe.Prober implements it.
type Prober interface {
	AwaitPresent(ctx context.Context, r probe.Route, b probe.Backend) (probe.Result, error)
	AwaitAbsent(ctx context.Context, r probe.Route, b probe.Backend) (probe.Result, error)
	RunCheck(ctx context.Context, r probe.Route, c probe.Check) (probe.CheckResult, error)
}

// Deployer is the Cloud Controller's deployment API (CAPI v3), for rolling and canary.
type Deployer interface {
	Platform
	CreateDeployment(ctx context.Context, r cf.DeploymentRequest) (cf.Deployment, error)
	Deployment(ctx context.Context, guid string) (cf.Deployment, error)
	ActiveDeployment(ctx context.Context, appGUID string) (*cf.Deployment, error)
	CancelDeployment(ctx context.Context, guid string) error
	ContinueDeployment(ctx context.Context, guid string) error
	ProcessInstances(ctx context.Context, processGUID string) ([]cf.Instance, error)
	WebProcesses(ctx context.Context, appGUID string) ([]cf.Process, error)
	Revisions(ctx context.Context, appGUID string) ([]cf.Revision, error)
	SetEnvVars(ctx context.Context, appGUID string, env map[string]*string) error
}
