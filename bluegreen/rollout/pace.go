package rollout

import (
	"fmt"
	"math"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Pace is how a rolling deployment is driven.
type Pace string

const (
	// PaceVerified (the default) never lets CAPI stop an old instance before every router knows
	// a live new one. CAPI's rolling updater stops old instances as soon as Diego reports new
	// ones routable, which is before the routers have heard of them (their lag is seconds on a
	// busy foundation): when the lag outlasts the updater's tick, a router is left with nothing
	// but stopped backends and answers 502. So the deployment is created as CAPI's canary of one
	// instance, which starts the new instance next to every old one and pauses; that instance is
	// proven on every router (and smoke-checked) before it continues, and from then on the
	// updater rolls at max_in_flight as a rolling deployment does, the proven instance serving
	// throughout. It costs one updater tick (5 s by default) more than CAPI's rolling.
	PaceVerified Pace = "verified"
	// PaceCAPI lets CAPI roll on its own schedule: as fast as CAPI, without the guarantee.
	PaceCAPI Pace = "capi"
)

// paced turns a rolling request into the deployment CC runs for it: itself with PaceCAPI, a
// canary of one instance otherwise (see PaceVerified).
func paced(req platform.DeploymentRequest, pace Pace) (platform.DeploymentRequest, bool) {
	if req.Strategy != platform.StrategyRolling || pace == PaceCAPI {
		return req, false
	}
	req.Strategy, req.CanarySteps = platform.StrategyCanary, nil
	return req, true
}

// canaryInstances is how many new instances run at a canary step (1-based) of a deployment
// replacing instances: CAPI's step plan, round(instances × weight / 100) and at least one, or
// one instance without steps.
func canaryInstances(instances int, weights []int, step int) int {
	if step < 1 || step > len(weights) {
		return 1
	}
	return max(int(math.Round(float64(instances*weights[step-1])/100)), 1)
}

// pauseName names a pause in the log: a canary step, or the paced rolling's single one.
func (r *roller) pauseName(d platform.Deployment) string {
	if r.paced {
		return "paced rolling"
	}
	return fmt.Sprintf("canary step %d/%d", d.CanaryStep, d.CanarySteps)
}
