package cfsim

import "time"

// The simulator's state: one struct per CC resource, held in Sim's maps under Sim.mu.
// Every record has a sequence number so lists come back in creation order, as CC's
// default order_by=created_at does.

type base struct {
	guid    string
	seq     int64
	created time.Time
	updated time.Time
}

type org struct {
	base
	name      string
	quotaGUID string
	meta      metadata
}

type space struct {
	base
	name      string
	orgGUID   string
	quotaGUID string // "" = no space quota
	meta      metadata
}

type domain struct {
	base
	name     string
	internal bool // apps.internal: container-to-container only, never on the gorouters
}

// quota is an organization or space quota; nil limits are unlimited.
type quota struct {
	base
	name           string
	space          bool
	orgGUID        string // owner, for space quotas
	totalMemoryMB  *int
	totalInstances *int
	totalRoutes    *int
}

type lifecycle struct {
	kind       string // "docker", or "" for buildpack
	buildpacks []string
	stack      string
}

type app struct {
	base
	name        string
	spaceGUID   string
	state       string // desired state: STARTED or STOPPED
	lifecycle   lifecycle
	env         map[string]string
	dropletGUID string
	meta        metadata
	revisions   bool // app feature "revisions", on by default
	ssh         bool
	deleting    bool
}

type pkg struct {
	base
	appGUID  string
	state    string
	bits     string // path of the uploaded zip
	checksum string
	err      string
	meta     metadata
	docker   *dockerRef // a docker package's image and credentials (docker.go)
}

type build struct {
	base
	appGUID     string
	packageGUID string
	state       string
	err         string
	dropletGUID string
	stagingMB   int
	stagingDisk int
	lifecycle   lifecycle
	meta        metadata
}

type droplet struct {
	base
	appGUID      string
	packageGUID  string
	state        string
	processTypes map[string]string
	checksum     string
	tgz          string // path of the droplet tarball
	buildpacks   []string
	meta         metadata
	docker       *dockerDroplet // set for docker droplets, which have no bits (docker.go)
}

type healthCheck struct {
	kind              string // port, http, process
	endpoint          string
	timeout           *int // seconds; nil = platform default
	invocationTimeout *int
	interval          *int
}

type process struct {
	base
	appGUID      string
	kind         string // process type: web, worker...
	command      *string
	instances    int
	memoryMB     int
	diskMB       int
	logRate      int
	health       healthCheck
	readiness    healthCheck
	revisionGUID string
	meta         metadata

	// What Diego was last asked to run for this process (the desired LRP).
	running    bool
	runDroplet string
	runEnv     map[string]string
	runCommand string
	lrpVersion string
	deployGUID string // the deployment that created this process, if any
}

type destination struct {
	guid        string
	appGUID     string
	processType string
	port        int
	protocol    string
	created     time.Time
}

type route struct {
	base
	host         string
	path         string
	spaceGUID    string
	domainGUID   string
	destinations []*destination
	options      map[string]string
	meta         metadata
}

type revision struct {
	base
	appGUID     string
	version     int
	dropletGUID string
	env         map[string]string
	commands    map[string]*string
	description string
	meta        metadata
}

type canaryStep struct {
	weight int
}

type deployment struct {
	base
	appGUID          string
	state            string // DEPLOYING PREPAUSED PAUSED CANCELING DEPLOYED CANCELED
	superseded       bool
	strategy         string
	maxInFlight      int
	webInstances     *int
	memoryMB         *int
	diskMB           *int
	logRate          *int
	steps            []canaryStep
	currentStep      int
	dropletGUID      string
	previousDroplet  string
	revisionGUID     string
	revisionVersion  int
	newProcesses     []string
	originalWebCount int
	statusChanged    time.Time
	history          []StatusChange // every status change, for the benchmark (timings.go)
	lastHealthy      time.Time
	errMsg           string
	meta             metadata
}

type task struct {
	base
	appGUID     string
	name        string
	command     string
	dropletGUID string
	state       string // PENDING RUNNING SUCCEEDED FAILED CANCELING
	failure     string
	sequenceID  int
	memoryMB    int
	diskMB      int
	cancel      func()
	meta        metadata
}

type job struct {
	base
	operation string
	state     string // PROCESSING COMPLETE FAILED
	errors    []*ccError
	warnings  []string
	spaceGUID string
}

// auditEvent records what the platform did on its own, e.g. a crash.
type auditEvent struct {
	base
	kind       string
	targetGUID string
	targetName string
	spaceGUID  string
	data       map[string]any
	actor      eventActor // who did it: a user, or a process for crashes
}
