package resource

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/rollout"
)

// OutParams are the put step's params.
type OutParams struct {
	Manifest             string             `json:"manifest"`
	Path                 string             `json:"path,omitempty"`
	Droplet              string             `json:"droplet,omitempty"`
	AppName              string             `json:"app_name,omitempty"`
	Apps                 []string           `json:"apps,omitempty"` // a multi-app manifest's apps to release, in order
	Strategy             bluegreen.Strategy `json:"strategy,omitempty"`
	Vars                 map[string]any     `json:"vars,omitempty"`
	VarsFiles            []string           `json:"vars_files,omitempty"`
	EnvironmentVariables map[string]string  `json:"environment_variables,omitempty"`
	InheritEnv           *bool              `json:"inherit_env,omitempty"`
	TemporaryRoute       string             `json:"temporary_route,omitempty"`
	KeepPrevious         *int               `json:"keep_previous,omitempty"`
	KeepFailed           bool               `json:"keep_failed,omitempty"`
	StagingTimeout       *Duration          `json:"staging_timeout,omitempty"`
	StartupTimeout       *Duration          `json:"startup_timeout,omitempty"`
	VerifyTimeout        *Duration          `json:"verify_timeout,omitempty"`
	Timeout              *Duration          `json:"timeout,omitempty"`
	LeaseTimeout         *Duration          `json:"lease_timeout,omitempty"`
	LeaseTTL             *Duration          `json:"lease_ttl,omitempty"`
	Drain                *Duration          `json:"drain,omitempty"`
	SmokeChecks          []SmokeCheck       `json:"smoke_checks,omitempty"`
	Observe              *Observe           `json:"observe,omitempty"`
	MaxInFlight          *int               `json:"max_in_flight,omitempty"`
	Pace                 string             `json:"pace,omitempty"`
	CanarySteps          []int              `json:"canary_steps,omitempty"`
	CanaryPause          *Duration          `json:"canary_pause,omitempty"`
	Action               bluegreen.Action   `json:"action,omitempty"`
	Revision             *int               `json:"revision,omitempty"`
	OnActiveDeployment   string             `json:"on_active_deployment,omitempty"`
	Maintenance          *MaintenanceParams `json:"maintenance,omitempty"`
	Settle               *Duration          `json:"settle,omitempty"`
	InternalRouteGrace   *Duration          `json:"internal_route_grace,omitempty"`
	ExactRoutes          bool               `json:"exact_routes,omitempty"`
	Migration            *MigrationParams   `json:"migration,omitempty"`
	Analysis             *AnalysisParams    `json:"analysis,omitempty"`
	// DockerPassword is the private registry's password for a docker image app (the manifest
	// gives docker.username): a secret, never printed.
	DockerPassword string `json:"docker_password,omitempty"`
}

// MigrationParams run a command once as a task on the new version's droplet before it takes
// traffic.
type MigrationParams struct {
	App       string    `json:"app,omitempty"` // the app of a release whose droplet runs it
	Command   string    `json:"command"`
	Name      string    `json:"name,omitempty"`
	Memory    string    `json:"memory,omitempty"`     // 256M, 1G
	DiskQuota string    `json:"disk_quota,omitempty"` // 512M, 2G
	Timeout   *Duration `json:"timeout,omitempty"`
}

// MaintenanceParams switch an app's routes to the maintenance responder and back.
type MaintenanceParams struct {
	State      string `json:"state"`               // on or off
	Responder  string `json:"responder,omitempty"` // app (one responder per app, default) or space (one shared)
	Status     int    `json:"status,omitempty"`
	RetryAfter *int   `json:"retry_after,omitempty"`
	Message    string `json:"message,omitempty"`
	Page       string `json:"page,omitempty"` // HTML page file in the inputs
	JSON       string `json:"json,omitempty"` // JSON body file in the inputs
	StopApp    bool   `json:"stop_app,omitempty"`
}

// SmokeCheck is an HTTP check run against the candidate before it gets live traffic.
type SmokeCheck struct {
	Path         string `json:"path,omitempty"`
	Status       int    `json:"status,omitempty"`
	BodyContains string `json:"body_contains,omitempty"`
	Header       string `json:"header,omitempty"`
	HeaderValue  string `json:"header_value,omitempty"`
	Successes    int    `json:"successes,omitempty"`
	FailureLimit int    `json:"failure_limit,omitempty"`
}

// Observe is the window after cutover during which failures switch traffic back.
type Observe struct {
	Duration     Duration  `json:"duration"`
	Path         string    `json:"path,omitempty"`
	Status       int       `json:"status,omitempty"`
	Interval     *Duration `json:"interval,omitempty"`
	FailureLimit int       `json:"failure_limit,omitempty"`
}

// Defaults for params that are not set.
const (
	DefaultStagingTimeout = 15 * time.Minute // the cf CLI's CF_STAGING_TIMEOUT
	DefaultStartupTimeout = 5 * time.Minute  // the cf CLI's CF_STARTUP_TIMEOUT
	DefaultVerifyTimeout  = 2 * time.Minute
	DefaultTimeout        = 30 * time.Minute
	DefaultLeaseTimeout   = 10 * time.Minute
	DefaultLeaseTTL       = 30 * time.Second
	DefaultDrain          = 2 * time.Second
	DefaultKeepPrevious   = 1
	DefaultSettle         = 5 * time.Second
	// DefaultInternalRouteGrace covers service discovery spreading a mapping (seconds, see
	// docs/platform/networking.md#internal-domains-and-internal-routes).
	DefaultInternalRouteGrace = 10 * time.Second
	DefaultMigrationTimeout   = 10 * time.Minute
)

// Validate checks the params that do not need the filesystem or the foundation.
func (p OutParams) Validate() error {
	if err := p.validateAction(); err != nil {
		return err
	}
	if err := p.validateDeployment(); err != nil {
		return err
	}
	if p.KeepPrevious != nil && *p.KeepPrevious < 0 {
		return fmt.Errorf("params.keep_previous: must be 0 or more, got %d", *p.KeepPrevious)
	}
	if err := p.validateDurations(); err != nil {
		return err
	}
	if err := validateEnvNames(p.EnvironmentVariables); err != nil {
		return err
	}
	if err := validateHost("params.temporary_route", p.TemporaryRoute); err != nil {
		return err
	}
	for i, c := range p.SmokeChecks {
		if err := c.validate(fmt.Sprintf("params.smoke_checks[%d]", i)); err != nil {
			return err
		}
	}
	if p.Observe != nil {
		if err := p.Observe.validate(); err != nil {
			return err
		}
	}
	if err := p.validateMigration(); err != nil {
		return err
	}
	if err := p.validateApps(); err != nil {
		return err
	}
	if err := p.validateAnalysis(); err != nil {
		return err
	}
	return p.validateDockerPassword()
}

// validateDockerPassword refuses a registry password where no docker package is made: the
// manifest's app decides the rest (plan.go, dockerImage).
func (p OutParams) validateDockerPassword() error {
	if p.DockerPassword != "" && (p.Action != bluegreen.ActionDeploy || p.Maintenance != nil) {
		return fmt.Errorf("params.docker_password: only when deploying a docker image (docker.image in the manifest), not with an action or maintenance")
	}
	return nil
}

func (p OutParams) validateMigration() error {
	m := p.Migration
	switch {
	case m == nil:
		return nil
	case strings.TrimSpace(m.Command) == "":
		return fmt.Errorf("params.migration.command: required (the command the task runs, e.g. bundle exec rake db:migrate)")
	case p.Action != bluegreen.ActionDeploy || p.Maintenance != nil:
		return fmt.Errorf("params.migration: runs on the new version's droplet: only when deploying new bits, not with an action or maintenance")
	case m.Timeout != nil && *m.Timeout == 0:
		return fmt.Errorf("params.migration.timeout: must be more than 0")
	}
	for field, size := range map[string]string{"memory": m.Memory, "disk_quota": m.DiskQuota} {
		if _, ok := manifest.Megabytes(size); size != "" && !ok {
			return fmt.Errorf("params.migration.%s: %q must be a whole number with a unit B, K, M, G or T (e.g. 256M, 1G)", field, size)
		}
	}
	return nil
}

func validateEnvNames(env map[string]string) error {
	for k := range env {
		if k == "" || strings.HasPrefix(k, "VCAP_") || k == "PORT" {
			return fmt.Errorf("params.environment_variables: %q cannot be set (empty, PORT and VCAP_* are reserved)", k)
		}
	}
	return nil
}

func validateHost(field, host string) error {
	if host == "" {
		return nil
	}
	for _, c := range host {
		if !(c == '-' || c == '.' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			return fmt.Errorf("%s: %q is not a host name (lower-case letters, digits, dots and dashes)", field, host)
		}
	}
	return nil
}

func (c SmokeCheck) validate(field string) error {
	if c.Path != "" && !strings.HasPrefix(c.Path, "/") {
		return fmt.Errorf("%s.path: %q must start with /", field, c.Path)
	}
	if c.Status != 0 && http.StatusText(c.Status) == "" {
		return fmt.Errorf("%s.status: %d is not an HTTP status", field, c.Status)
	}
	if c.Successes < 0 || c.FailureLimit < 0 {
		return fmt.Errorf("%s: successes and failure_limit must be 0 or more", field)
	}
	if c.HeaderValue != "" && c.Header == "" {
		return fmt.Errorf("%s.header_value: needs header", field)
	}
	return nil
}

func (o Observe) validate() error {
	if o.Duration <= 0 {
		return fmt.Errorf("params.observe.duration: required, a duration like 30s")
	}
	if o.Path != "" && !strings.HasPrefix(o.Path, "/") {
		return fmt.Errorf("params.observe.path: %q must start with /", o.Path)
	}
	if o.Status != 0 && http.StatusText(o.Status) == "" {
		return fmt.Errorf("params.observe.status: %d is not an HTTP status", o.Status)
	}
	if o.FailureLimit < 0 {
		return fmt.Errorf("params.observe.failure_limit: must be 0 or more")
	}
	if o.Interval != nil && *o.Interval == 0 {
		return fmt.Errorf("params.observe.interval: must be more than 0 (it is the wait between two rounds of checks)")
	}
	return nil
}

// validateDurations refuses zero waits where zero would make the deploy fail at once.
func (p OutParams) validateDurations() error {
	for name, d := range map[string]*Duration{"staging_timeout": p.StagingTimeout, "startup_timeout": p.StartupTimeout,
		"verify_timeout": p.VerifyTimeout, "timeout": p.Timeout, "lease_ttl": p.LeaseTTL} {
		if d != nil && *d == 0 {
			return fmt.Errorf("params.%s: must be more than 0", name)
		}
	}
	return nil
}

// StrategyOrDefault is the strategy in effect: bluegreen, or rolling for actions.
func (p OutParams) StrategyOrDefault() bluegreen.Strategy {
	switch {
	case p.Strategy != "":
		return p.Strategy
	case p.Action != bluegreen.ActionDeploy:
		return bluegreen.StrategyRolling
	}
	return bluegreen.StrategyBlueGreen
}

func (p OutParams) validateMaintenance() error {
	m := p.Maintenance
	switch {
	case m.State != "on" && m.State != "off":
		return fmt.Errorf("params.maintenance.state: %q is not on or off", m.State)
	case m.Responder != "" && m.Responder != "app" && m.Responder != "space":
		return fmt.Errorf("params.maintenance.responder: %q is not app or space", m.Responder)
	case m.Status != 0 && (m.Status < 200 || m.Status > 599 || http.StatusText(m.Status) == ""):
		return fmt.Errorf("params.maintenance.status: %d is not an HTTP status", m.Status)
	case m.RetryAfter != nil && *m.RetryAfter < 0:
		return fmt.Errorf("params.maintenance.retry_after: seconds, 0 or more")
	case p.Manifest == "" && p.AppName == "":
		return fmt.Errorf("params.app_name: required for maintenance without a manifest")
	case p.Action != "" || p.Strategy != "" || p.Droplet != "" || p.Path != "":
		return fmt.Errorf("params.maintenance: switches routes only; not with action, strategy, droplet or path")
	}
	return nil
}

func (p OutParams) validateAction() error {
	if p.Maintenance != nil {
		return p.validateMaintenance()
	}
	switch p.Action {
	case bluegreen.ActionDeploy:
		if p.Manifest == "" {
			return fmt.Errorf("params.manifest: required (a path or glob relative to the inputs folder)")
		}
	case bluegreen.ActionRestart, bluegreen.ActionCancel, bluegreen.ActionRollback:
		if p.Manifest == "" && p.AppName == "" {
			return fmt.Errorf("params.app_name: required for action %s without a manifest", p.Action)
		}
		if p.Strategy == bluegreen.StrategyBlueGreen {
			return fmt.Errorf("params.action: %s uses a CAPI deployment; set strategy rolling or canary, not bluegreen", p.Action)
		}
	default:
		return fmt.Errorf("params.action: %q is not one of restart, cancel, rollback", p.Action)
	}
	if p.Droplet != "" && (p.Path != "" || p.Action != "") {
		return fmt.Errorf("params.droplet: deploys droplet bits instead of path, and not with an action")
	}
	if p.Revision != nil && (p.Action != bluegreen.ActionRollback || *p.Revision < 1) {
		return fmt.Errorf("params.revision: a revision version of 1 or more, with action rollback only")
	}
	return nil
}

func (p OutParams) validateDeployment() error {
	strategy := p.StrategyOrDefault()
	if strategy != bluegreen.StrategyBlueGreen && strategy != bluegreen.StrategyRolling && strategy != bluegreen.StrategyCanary {
		return fmt.Errorf("params.strategy: %q is not one of bluegreen, rolling, canary", p.Strategy)
	}
	capi := strategy != bluegreen.StrategyBlueGreen
	switch {
	case p.MaxInFlight != nil && !capi:
		return fmt.Errorf("params.max_in_flight: only with strategy rolling or canary")
	case p.MaxInFlight != nil && *p.MaxInFlight < 1:
		return fmt.Errorf("params.max_in_flight: must be 1 or more, got %d", *p.MaxInFlight)
	case p.Pace != "" && p.Pace != string(rollout.PaceVerified) && p.Pace != string(rollout.PaceCAPI):
		return fmt.Errorf("params.pace: %q is not verified or capi", p.Pace)
	case p.Pace != "" && strategy != bluegreen.StrategyRolling:
		return fmt.Errorf("params.pace: only with strategy rolling (a canary pauses at every step, blue-green proves every step)")
	case p.Pace == string(rollout.PaceCAPI) && len(p.SmokeChecks) > 0:
		return fmt.Errorf("params.smoke_checks: with pace capi nothing runs before CAPI gives new instances live traffic; use pace verified")
	case p.CanarySteps != nil && strategy != bluegreen.StrategyCanary:
		return fmt.Errorf("params.canary_steps: only with strategy canary")
	case p.CanaryPause != nil && strategy != bluegreen.StrategyCanary:
		return fmt.Errorf("params.canary_pause: only with strategy canary")
	case p.OnActiveDeployment != "" && !capi:
		return fmt.Errorf("params.on_active_deployment: only with strategy rolling or canary")
	case p.OnActiveDeployment != "" && p.OnActiveDeployment != "wait" && p.OnActiveDeployment != "fail":
		return fmt.Errorf("params.on_active_deployment: %q is not wait or fail", p.OnActiveDeployment)
	case p.ExactRoutes && capi:
		return fmt.Errorf("params.exact_routes: only with strategy bluegreen (a deployment keeps the app, whose routes apply_manifest only adds to)")
	case p.InternalRouteGrace != nil && capi:
		return fmt.Errorf("params.internal_route_grace: only with strategy bluegreen (a deployment keeps the app on its internal routes)")
	}
	prev := 0
	for i, w := range p.CanarySteps {
		if w < 1 || w > 100 || w < prev {
			return fmt.Errorf("params.canary_steps[%d]: %d; steps are instance weights from 1 to 100 in ascending order", i, w)
		}
		prev = w
	}
	return nil
}
