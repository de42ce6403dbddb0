package bluegreen

import (
	"fmt"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// The metadata the engine writes on apps: the label it reads roles from (never guessed from
// names), and the annotations that form each app's journal.
const (
	KeyPrefix            = "cf-bluegreen-resource/"
	LabelRole            = KeyPrefix + "role"
	AnnApp               = KeyPrefix + "app"                // the app a candidate or previous version belongs to
	AnnDeployID          = KeyPrefix + "deploy-id"          // the run that holds the lease
	AnnLeaseExpires      = KeyPrefix + "lease-expires"      // until when; renewed while the run lives
	AnnStep              = KeyPrefix + "step"               // how far the run got (the journal)
	AnnDeployedAt        = KeyPrefix + "deployed-at"        // when the version went live
	AnnMaintenance       = KeyPrefix + "maintenance"        // the switch: on, off, switching-on, switching-off
	AnnMaintenanceRoutes = KeyPrefix + "maintenance-routes" // the guids of the routes the switch moves
	// AnnMaintenanceResponder names the responder app the routes are on.
	AnnMaintenanceResponder = KeyPrefix + "maintenance-responder"
)

// LockName is the lock app of an app's lease: a blue-green deploy's candidate, or the lock a
// release of several apps takes for an app it deploys with a CAPI deployment.
func LockName(app string) string { return app + "-candidate" }

// Roles an app can have.
const (
	RoleLive      = "live"
	RoleCandidate = "candidate"
	RolePrevious  = "previous"
	RoleFailed    = "failed"
)

// Timestamp is how times are written in annotations.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// DeployedAt is when a version went live: its annotation, else when it was created.
func DeployedAt(a *platform.App) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, a.Annotations[AnnDeployedAt]); err == nil {
		return t
	}
	return a.Created
}

// BuildAnnotations are the annotations naming the Concourse build.
func (b Build) Annotations() map[string]*string {
	out := map[string]*string{}
	for k, v := range b {
		out[KeyPrefix+k] = &v
	}
	return out
}

// HostSafe makes a route host of s: lower-case letters, digits and dashes, at most 63.
func HostSafe(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	h := strings.Trim(b.String(), "-")
	if len(h) > 63 {
		h = strings.Trim(h[:63], "-")
	}
	return h
}

// MaintenanceRoutes are the routes (guids) an app's maintenance journal keeps on the responder
// (maintenance on, or a switch either way that has not finished); nil when the app is not in
// maintenance. A deploy leaves them where they are: maintenance off moves them to the app.
func MaintenanceRoutes(a *platform.App) map[string]bool {
	if a == nil {
		return nil
	}
	switch a.Annotations[AnnMaintenance] {
	case "", "off":
		return nil
	}
	out := map[string]bool{}
	for _, guid := range strings.Split(a.Annotations[AnnMaintenanceRoutes], ",") {
		if guid != "" {
			out[guid] = true
		}
	}
	return out
}

// MaintenanceJournal is the app's maintenance journal, for the app that replaces it to inherit.
func MaintenanceJournal(a *platform.App) map[string]*string {
	out := map[string]*string{}
	for _, k := range []string{AnnMaintenance, AnnMaintenanceRoutes, AnnMaintenanceResponder} {
		if v, ok := a.Annotations[k]; ok {
			out[k] = &v
		}
	}
	return out
}

// MaintenanceSettled refuses to deploy an app whose maintenance switch stopped halfway: a route
// may then be on the app alone, and a deploy that left it there would retire the only app
// serving it. Running the switch again, either way, settles it.
func MaintenanceSettled(a *platform.App) error {
	if a == nil {
		return nil
	}
	switch state := a.Annotations[AnnMaintenance]; state {
	case "switching-on", "switching-off":
		return fmt.Errorf("app %s is in the middle of a maintenance switch (%s): run the maintenance put (on or off) again to finish it, then deploy", a.Name, state)
	}
	return nil
}
