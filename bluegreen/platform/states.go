package platform

// The Cloud Controller's states, as its API spells them (docs/platform/apps-and-staging.md and
// docs/platform/deployments.md describe what each means and when CC moves between them).

// AppState is an app's desired state.
type AppState string

const (
	AppStarted AppState = "STARTED"
	AppStopped AppState = "STOPPED"
)

// InstanceState is the state of one process instance in a stats answer.
type InstanceState string

const (
	InstanceStarting InstanceState = "STARTING"
	InstanceRunning  InstanceState = "RUNNING"
	InstanceCrashed  InstanceState = "CRASHED"
	InstanceDown     InstanceState = "DOWN"
)

// DeploymentStrategy is the strategy of a CAPI deployment.
type DeploymentStrategy string

const (
	StrategyRolling DeploymentStrategy = "rolling"
	StrategyCanary  DeploymentStrategy = "canary"
)

// DeploymentValue is a deployment's status value.
type DeploymentValue string

const (
	DeploymentActive    DeploymentValue = "ACTIVE"
	DeploymentFinalized DeploymentValue = "FINALIZED"
)

// DeploymentReason is a deployment's status reason.
type DeploymentReason string

const (
	ReasonDeploying  DeploymentReason = "DEPLOYING"
	ReasonPaused     DeploymentReason = "PAUSED"
	ReasonCanceling  DeploymentReason = "CANCELING"
	ReasonDeployed   DeploymentReason = "DEPLOYED"
	ReasonCanceled   DeploymentReason = "CANCELED"
	ReasonSuperseded DeploymentReason = "SUPERSEDED"
)

// PackageState is the state of a package.
type PackageState string

const (
	PackageAwaitingUpload   PackageState = "AWAITING_UPLOAD"
	PackageProcessingUpload PackageState = "PROCESSING_UPLOAD"
	PackageReady            PackageState = "READY"
	PackageFailed           PackageState = "FAILED"
)

// BuildState is the state of a build (staging).
type BuildState string

const (
	BuildStaging BuildState = "STAGING"
	BuildStaged  BuildState = "STAGED"
	BuildFailed  BuildState = "FAILED"
)

// DropletState is the state of a droplet.
type DropletState string

const (
	DropletAwaitingUpload   DropletState = "AWAITING_UPLOAD"
	DropletProcessingUpload DropletState = "PROCESSING_UPLOAD"
	DropletStaged           DropletState = "STAGED"
	DropletFailed           DropletState = "FAILED"
	DropletExpired          DropletState = "EXPIRED"
)

// JobState is the state of an asynchronous CC job.
type JobState string

const (
	JobProcessing JobState = "PROCESSING"
	JobComplete   JobState = "COMPLETE"
	JobFailed     JobState = "FAILED"
)

// TaskState is the state of a task.
type TaskState string

const (
	TaskPending   TaskState = "PENDING"
	TaskRunning   TaskState = "RUNNING"
	TaskSucceeded TaskState = "SUCCEEDED"
	TaskFailed    TaskState = "FAILED"
	TaskCanceling TaskState = "CANCELING"
)
