package rollout

import (
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// Platform is what a CAPI deployment flow asks of the Cloud Controller.
type Platform interface {
	bluegreen.Platform
	bluegreen.Deployments
	bluegreen.Tasks
}

// settled lets the changes the flow sends finish after an abort (bluegreen.Settle).
func settled(p Platform) Platform {
	return struct {
		bluegreen.Platform
		bluegreen.Deployments
		bluegreen.Tasks
	}{bluegreen.Settle(p), bluegreen.SettledDeployments{Deployments: p}, bluegreen.SettledTasks{Tasks: p}}
}

// Options is one rolling or canary deployment, or an action on the app's deployments.
type Options struct {
	bluegreen.Target
	bluegreen.Push
	Strategy    platform.DeploymentStrategy // rolling or canary
	MaxInFlight int
	Pace        Pace          // rolling: PaceVerified (the default) or PaceCAPI
	CanarySteps []int         // instance weights; none = one canary instance
	CanaryPause time.Duration // hold each canary step under observation
	// Analysis judges each canary step over CanaryPause by the routers' metrics of the canary
	// against the old instances (params.analysis); nil: the smoke checks alone.
	Analysis   *analysis.Config
	Action     bluegreen.Action
	RollbackTo int  // revision version for rollback; 0 = the one before the deployed
	WaitActive bool // wait for another ACTIVE deployment (up to Timeouts.Lease) instead of failing
	// LeaseTTL is how long the lease on a deployment this run creates lasts without renewal: a
	// run that finds one paused past it cancels it (lease.go).
	LeaseTTL time.Duration
	Timeouts bluegreen.Timeouts
	Checks   []probe.Check // run against the canary instances at each step
	Observe  *bluegreen.Observation
	Build    bluegreen.Build
	Settle   time.Duration // every process of the new version must run this long without a crash
	// Migration runs once on the new droplet, with the app's new environment and its bindings,
	// before the deployment is created.
	Migration *bluegreen.Migration
	// Hold parks the deploy for a release of several apps: before the first change, and once
	// the deployment is proven and observed (a failure there rolls back).
	Hold bluegreen.Hold
}
