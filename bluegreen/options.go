package bluegreen

import (
	"io"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// The options every flow shares; each flow's own Options type embeds the ones it uses.

// Strategy is how out deploys a new version.
type Strategy string

const (
	StrategyBlueGreen Strategy = "bluegreen" // a candidate app, verified, then traffic moved (bluegreen/candidate)
	StrategyRolling   Strategy = "rolling"   // a CAPI rolling deployment (bluegreen/rollout)
	StrategyCanary    Strategy = "canary"    // a CAPI canary deployment (bluegreen/rollout)
)

// Action is what a put does to an app that already runs, instead of deploying new bits.
type Action string

const (
	ActionDeploy   Action = ""         // deploy the new version
	ActionRestart  Action = "restart"  // a deployment of the current droplet
	ActionCancel   Action = "cancel"   // cancel the active deployment
	ActionRollback Action = "rollback" // a deployment of an earlier revision
)

// Target is the app a flow works on, and where it lives.
type Target struct {
	App, Org, Space string
}

// Timeouts bound each phase; Overall bounds the whole run.
type Timeouts struct {
	Staging, Startup, Verify, Overall, Lease time.Duration
}

// Observation is the post-cutover window: Check runs against every live route each
// Interval for Duration; more than FailureLimit failures fail the run (and so roll back).
type Observation struct {
	Duration, Interval time.Duration
	Check              probe.Check
	FailureLimit       int
	// Analysis, when set, judges the window by what the routers measured of the new version's
	// requests (params.analysis); Check then decides only the intervals with too few requests.
	Analysis *analysis.Config
}

// ManifestApp is the app's manifest entry, rendered for a given name, routes and env.
type ManifestApp interface {
	Render(name string, routes []string, env map[string]string) ([]byte, error)
}

// Push is the new version: its manifest entry, what the manifest says the engine must know
// before it renders it, and its bits.
type Push struct {
	Manifest       ManifestApp
	Routes         []string          // the manifest's routes (host.domain/path); nil = keep the live app's, or APP.DOMAIN
	RouteProtocols map[string]string // the manifest's protocol per route (http1, http2), where it sets one
	NoRoute        bool
	ManifestEnv    map[string]string
	Env            map[string]string // params.environment_variables: win over everything
	InstancesHint  *int              // the manifest's instances and memory, for the quota check
	MemoryHint     *int
	// Sizes is what the manifest says of each process type's size (nil fields: not in the
	// manifest); what it does not say, the new version takes from the live app, as cf push does.
	Sizes    map[string]platform.Scale
	Services []string // the manifest's service instance names (apply_manifest binds them)
	Bits     Bits
}

// Bits is what the new version runs: an app folder (Files, uploaded through resource matching),
// an archive (Zip), a droplet from another foundation or space (Droplet, deployed without
// staging), or a Docker image (Docker: a docker package instead of an upload, staged as usual
// into a droplet without bits).
type Bits struct {
	Zip     func(io.Writer) error
	Files   *platform.AppFiles
	Droplet *DropletBits
	Docker  *platform.DockerImage
}

// PackageStep names the step that makes the package: a docker image is not uploaded.
func (b Bits) PackageStep() string {
	if b.Docker != nil {
		return "docker package"
	}
	return "upload bits"
}

// DropletBits is a droplet from an `in` with download_droplet: the same bits, without staging.
type DropletBits struct {
	Write        func(io.Writer) error
	ProcessTypes map[string]string
	SHA256       string
}

// Annotations naming the Concourse build that ran the flow (build-team, build-url, ...).
type Build map[string]string
