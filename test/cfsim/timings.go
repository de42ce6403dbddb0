package cfsim

import (
	"slices"
	"time"
)

// BuildTiming is when a build was created and when staging ended (STAGED or FAILED; zero
// while it stages), so the benchmark can tell the platform's own staging time.
type BuildTiming struct {
	GUID, AppGUID, State string
	Created, Finished    time.Time
}

// StatusChange is a deployment's status.value and status.reason from a moment on.
type StatusChange struct {
	Value, Reason string
	At            time.Time
}

// DeploymentTiming is a deployment's new processes and every status it went through, the
// first being DEPLOYING at creation: when a client could first see PAUSED or DEPLOYED.
type DeploymentTiming struct {
	GUID, AppGUID string
	NewProcesses  []string
	Changes       []StatusChange
}

// BuildTimings lists every build, oldest first.
func (s *Sim) BuildTimings() []BuildTiming {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []BuildTiming
	for _, b := range sorted(s.builds, func(b *build) int64 { return b.seq }) {
		t := BuildTiming{GUID: b.guid, AppGUID: b.appGUID, State: b.state, Created: b.created}
		if b.state != "STAGING" {
			t.Finished = b.updated
		}
		out = append(out, t)
	}
	return out
}

// DeploymentTimings lists every deployment, oldest first.
func (s *Sim) DeploymentTimings() []DeploymentTiming {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []DeploymentTiming
	for _, d := range sorted(s.deployments, func(d *deployment) int64 { return d.seq }) {
		changes := append([]StatusChange{{Value: "ACTIVE", Reason: "DEPLOYING", At: d.created}}, d.history...)
		out = append(out, DeploymentTiming{GUID: d.guid, AppGUID: d.appGUID,
			NewProcesses: slices.Clone(d.newProcesses), Changes: changes})
	}
	return out
}
