package candidate

import (
	"strconv"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// Platform is what a blue-green deploy asks of the Cloud Controller.
type Platform interface {
	bluegreen.Platform
	bluegreen.Quotas
	bluegreen.Services
	bluegreen.Networking
	bluegreen.Tasks
}

// settled lets the changes a blue-green deploy sends finish after an abort (bluegreen.Settle).
func settled(p Platform) Platform {
	return struct {
		bluegreen.Platform
		bluegreen.Quotas
		bluegreen.Services
		bluegreen.Networking
		bluegreen.Tasks
	}{bluegreen.Settle(p), p, bluegreen.SettledServices{Services: p}, bluegreen.SettledNetworking{Networking: p},
		bluegreen.SettledTasks{Tasks: p}}
}

// Options is one blue-green deploy, fully decided before anything changes.
type Options struct {
	bluegreen.Target
	bluegreen.Push
	InheritEnv    bool   // the candidate starts with the live app's env vars
	TemporaryHost string // "" = APP-candidate-SPACE
	KeepPrevious  int    // stopped old versions kept for instant rollback
	KeepFailed    bool   // keep a failed candidate stopped as APP-failed
	Timeouts      bluegreen.Timeouts
	Drain         time.Duration // how long the old app keeps running once unmapped
	Checks        []probe.Check // smoke checks on the temporary route
	Observe       *bluegreen.Observation
	LeaseTTL      time.Duration
	Build         bluegreen.Build
	// Settle is how long every process of the new version must run without a crash before the
	// old version stops serving (apps that crash late want more).
	Settle time.Duration
	// InternalGrace is how long internal routes (apps.internal), which no router serves and so
	// cannot be proven, are given to reach the platform's DNS before the old app leaves them.
	InternalGrace time.Duration
	// ExactRoutes makes the manifest's routes the exact set: a live route the manifest no longer
	// names is unmapped after cutover, proven gone. Default: additive, as cf push.
	ExactRoutes bool
	// Migration runs once on the candidate's droplet, with its environment and bindings, after
	// staging and before it starts: the new version boots on the migrated schema.
	Migration *bluegreen.Migration
	// Hold parks the deploy for a release of several apps: after the lease, and before finalize.
	Hold bluegreen.Hold
}

// The names the flow gives apps. Roles are read from labels, never from these names alone.

func candidateName(app string) string { return bluegreen.LockName(app) }
func failedName(app string) string    { return app + "-failed" }

// previousName is APP-previous for the newest kept version, APP-previous-2 for the next...
func previousName(app string, i int) string {
	if i == 0 {
		return app + "-previous"
	}
	return app + "-previous-" + strconv.Itoa(i+1)
}

// temporaryHost is the candidate's route host: lower-case letters, digits and dashes.
func (o Options) temporaryHost() string {
	if o.TemporaryHost != "" {
		return o.TemporaryHost
	}
	return bluegreen.HostSafe(o.App + "-candidate-" + o.Space)
}

// The journal: how far a deploy got, written on the candidate (bluegreen.AnnStep). A rerun that
// finds the candidate with an expired lease reconciles from there (reconcile.go).
const (
	stepCreated  = "created"
	stepStaged   = "staged"
	stepStarted  = "started"
	stepVerified = "verified"
	stepCutover  = "cutover"
	stepObserve  = "observe"
	stepFinalize = "finalize"
)
