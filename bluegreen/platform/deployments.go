package platform

import "time"

// DeploymentRequest is a CAPI v3 deployment to create: a droplet, a revision to roll back to,
// or neither (a rolling restart of the current droplet).
type DeploymentRequest struct {
	AppGUID      string
	DropletGUID  string
	RevisionGUID string
	Strategy     DeploymentStrategy
	MaxInFlight  int
	CanarySteps  []int // instance weights
	Annotations  map[string]string
}

// Deployment is what the engine reads of a deployment.
type Deployment struct {
	GUID            string
	Value           DeploymentValue
	Reason          DeploymentReason
	Error           string // status.details.error
	NewProcesses    []string
	DropletGUID     string
	PreviousDroplet string
	RevisionGUID    string
	RevisionVersion int
	CanaryStep      int
	CanarySteps     int
	Annotations     map[string]string
}

// Deployed reports whether CAPI finished the deployment by replacing every instance.
func (d Deployment) Deployed() bool {
	return d.Value == DeploymentFinalized && d.Reason == ReasonDeployed
}

// Active reports whether the deployment is still under way (deploying, paused or canceling).
func (d Deployment) Active() bool { return d.Value == DeploymentActive }

// Revision is one of an app's revisions.
type Revision struct {
	GUID        string
	Version     int
	DropletGUID string
	Deployable  bool
	Description string
	Created     time.Time
}

// DropletInfo is a droplet's identity: what it runs and its checksum.
type DropletInfo struct {
	GUID         string
	ProcessTypes map[string]string
	Checksum     string // sha256; none for a docker droplet
	State        DropletState
	// Image is the image reference a docker droplet runs; "" for a buildpack droplet. A docker
	// droplet has no bits: nothing to download.
	Image string
}
