package bluegreen

import (
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
)

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
	// Analysis is every interval the routers' metrics judged (params.analysis), in order.
	Analysis []analysis.Decision
}

// Verification is what proving one route cost.
type Verification struct {
	Route   string
	Probes  int
	Elapsed time.Duration
}
