package probe

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Backend identifies what must (or must not) answer on a route. Set exactly one of AppGUID,
// ProcessGUID and Marker: each is a different way of telling versions apart, and mixing them
// would leave it unclear which one the verdict rests on.
type Backend struct {
	AppGUID     string  // X-CF-App-Instance: APP_GUID:INDEX for each index (blue-green: two apps)
	ProcessGUID string  // X-CF-Process-Instance: PROCESS_GUID[:INDEX] (CAPI deployments: same app guid)
	Instances   int     // indexes 0..Instances-1 are probed; at least 1 with AppGUID or ProcessGUID
	Marker      *Marker // fallback where the instance headers are unsupported: content that identifies this version
	// RequireHealthy makes AwaitPresent count only app answers below 500. Off by default: presence
	// is about routing, and an app's 5xx still proves the router sends users to it; whether the
	// version works is for smoke checks (RunCheck). Set it where a 5xx should hold the deploy.
	RequireHealthy bool
}

// Marker is content that only one version returns, e.g. Header "X-App-Version", Value "v2".
// Header alone (no Value) means the header must be present; with BodyContains set as well, both
// must match. Bodies are read up to 64 KiB.
type Marker struct{ Header, Value, BodyContains string }

// normalized lower-cases the guids, because gorouter rejects an upper-case guid as malformed, and
// checks that the backend can be verified at all.
func (b Backend) normalized() (Backend, error) {
	b.AppGUID = strings.ToLower(b.AppGUID)
	b.ProcessGUID = strings.ToLower(b.ProcessGUID)
	modes := 0
	for _, set := range []bool{b.AppGUID != "", b.ProcessGUID != "", b.Marker != nil} {
		if set {
			modes++
		}
	}
	switch {
	case modes == 0:
		return b, errors.New("backend has neither AppGUID, ProcessGUID nor Marker: nothing identifies it")
	case modes > 1:
		return b, errors.New("backend sets more than one of AppGUID, ProcessGUID and Marker: set exactly one")
	case b.Marker != nil:
		return b, b.Marker.validate()
	case b.Instances < 1:
		return b, fmt.Errorf("backend %s: Instances must be at least 1, got %d", b, b.Instances)
	case !isGUID(b.guid()):
		return b, fmt.Errorf("backend guid %q is not a UUID (8-4-4-4-12 hex digits)", b.guid())
	}
	return b, nil
}

func (b Backend) guid() string { return b.AppGUID + b.ProcessGUID }

// String names the backend in messages.
func (b Backend) String() string {
	switch {
	case b.AppGUID != "":
		return "app " + b.AppGUID
	case b.ProcessGUID != "":
		return "process " + b.ProcessGUID
	default:
		return "version marked by " + b.Marker.String()
	}
}

func (m *Marker) validate() error {
	switch {
	case m.Value != "" && m.Header == "":
		return fmt.Errorf("marker value %q has no Header", m.Value)
	case m.Header == "" && m.BodyContains == "":
		return errors.New("marker has neither Header nor BodyContains")
	}
	return nil
}

func (m *Marker) String() string {
	var parts []string
	if m.Header != "" {
		parts = append(parts, "header "+m.Header+valueSuffix(m.Value))
	}
	if m.BodyContains != "" {
		parts = append(parts, fmt.Sprintf("body text %q", m.BodyContains))
	}
	return strings.Join(parts, " and ")
}

func valueSuffix(v string) string {
	if v == "" {
		return ""
	}
	return ": " + v
}

// matches reports whether a response carries the marker.
func (m *Marker) matches(h http.Header, body []byte) bool {
	if m.Header != "" && !headerMatches(h, m.Header, m.Value) {
		return false
	}
	return m.BodyContains == "" || bytes.Contains(body, []byte(m.BodyContains))
}

// headerMatches: the header is present and, when want is set, one of its values equals want.
func headerMatches(h http.Header, name, want string) bool {
	values := h.Values(name)
	if want == "" {
		return len(values) > 0
	}
	return slices.Contains(values, want)
}

// isGUID checks the lower-case 8-4-4-4-12 form gorouter insists on.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
	}
	return true
}
