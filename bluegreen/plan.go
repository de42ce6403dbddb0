package bluegreen

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// ManifestApp is the app's manifest entry, rendered for a given name, routes and env.
type ManifestApp interface {
	Render(name string, routes []string, env map[string]string) ([]byte, error)
}

// Plan is one blue-green deploy, fully decided before anything changes.
type Plan struct {
	App, Org, Space string
	Manifest        ManifestApp
	ManifestRoutes  []string // the manifest's routes (host.domain/path); nil = keep the live app's, or APP.DOMAIN
	NoRoute         bool
	ManifestEnv     map[string]string
	InstancesHint   *int // the manifest's instances and memory, for the quota check
	MemoryHint      *int
	Bits            func(io.Writer) error
	Files           *cf.AppFiles      // Bits as a folder: uploaded through resource matching (upload.go)
	Droplet         *DropletBits      // deploy these droplet bits instead of staging Bits
	Env             map[string]string // params.environment_variables: win over everything
	InheritEnv      bool
	TemporaryHost   string // "" = APP-candidate-SPACE
	KeepPrevious    int
	KeepFailed      bool
	Timeouts        Timeouts
	Drain           time.Duration
	Checks          []probe.Check
	Observe         *Observation
	LeaseTTL        time.Duration
	Build           map[string]string // annotations naming the Concourse build

	// CAPI deployments (Rollout).
	Strategy    string // rolling or canary
	MaxInFlight int
	CanarySteps []int         // instance weights; none = one canary instance
	CanaryPause time.Duration // hold each canary step under observation
	Action      string        // "" (deploy new bits), restart, cancel, rollback
	RollbackTo  int           // revision version for rollback; 0 = the one before the deployed
	WaitActive  bool          // wait for another ACTIVE deployment (up to Timeouts.Lease) instead of failing
}

// DropletBits is a droplet from another foundation or space (an `in` with download_droplet):
// the same bits, deployed without staging.
type DropletBits struct {
	Write        func(io.Writer) error
	ProcessTypes map[string]string
	SHA256       string
}

// Timeouts bound each phase; Overall bounds the whole deploy.
type Timeouts struct {
	Staging, Startup, Verify, Overall, Lease time.Duration
}

// Observation is the post-cutover window: Check runs against every live route each
// Interval for Duration; more than FailureLimit failures switch traffic back.
type Observation struct {
	Duration, Interval time.Duration
	Check              probe.Check
	FailureLimit       int
}

// Names the engine gives apps, and the metadata it reads roles from.
const (
	keyPrefix       = "cf-bluegreen-resource/"
	labelRole       = keyPrefix + "role"
	annApp          = keyPrefix + "app"
	annDeployID     = keyPrefix + "deploy-id"
	annLeaseExpires = keyPrefix + "lease-expires"
	annStep         = keyPrefix + "step"
	annDeployedAt   = keyPrefix + "deployed-at"

	roleLive      = "live"
	roleCandidate = "candidate"
	rolePrevious  = "previous"
	roleFailed    = "failed"
)

func candidateName(app string) string { return app + "-candidate" }
func failedName(app string) string    { return app + "-failed" }

// previousName is APP-previous for the newest kept version, APP-previous-2 for the next...
func previousName(app string, i int) string {
	if i == 0 {
		return app + "-previous"
	}
	return app + "-previous-" + strconv.Itoa(i+1)
}

// temporaryHost is the candidate's route host: lower-case letters, digits and dashes.
func (p Plan) temporaryHost() string {
	if p.TemporaryHost != "" {
		return p.TemporaryHost
	}
	return hostSafe(p.App + "-candidate-" + p.Space)
}

func hostSafe(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	h := strings.Trim(b.String(), "-")
	if len(h) > 63 {
		h = strings.Trim(h[:63], "-")
	}
	return h
}
