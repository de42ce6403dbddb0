package bluegreen

import (
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
	AnnMaintenance       = KeyPrefix + "maintenance"        // on while the routes are on the responder
	AnnMaintenanceRoutes = KeyPrefix + "maintenance-routes" // the guids of the routes moved
)

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
