package bluegreen

import "time"

// Result is what a run did, for the version and metadata.
type Result struct {
	AppName, AppGUID string
	PreviousGUID     string
	DropletGUID      string
	RevisionGUID     string
	Routes           []string
	Verified         []Verification
	Healed           []string

	// CAPI deployments.
	DeploymentGUID    string
	Status            string // the deployment's final status reason
	RevisionVersion   int
	PreviousRevision  int
	InstancesReplaced int
	RolledBack        bool
	FirstPush         bool
	Maintenance       string // on or off, after a maintenance switch
	Migration         *MigrationResult
}

// Verification is what proving one route cost.
type Verification struct {
	Route   string
	Probes  int
	Elapsed time.Duration
}
