package router

import "regexp"

// Header names as gorouter reads and writes them (Go canonical form, as they appear on the wire).
const (
	headerAppInstance     = "X-Cf-App-Instance"
	headerProcessInstance = "X-Cf-Process-Instance"
	headerRouterError     = "X-Cf-Routererror"
	headerRequestID       = "X-Vcap-Request-Id"
	headerTrace           = "X-Vcap-Trace"
	traceKey              = "22" // router.trace_key's BOSH default
)

// Both formats insist on a lower-case GUID: an upper-case one is malformed, as in gorouter.
var (
	appInstanceFormat     = regexp.MustCompile(`^([0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}):([0-9]+)$`)
	processInstanceFormat = regexp.MustCompile(`^([0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})(?::([0-9]+))?$`)
)

// instanceTarget is a parsed X-CF-App-Instance or X-CF-Process-Instance value.
type instanceTarget struct {
	guid, index string // index may be empty for a process target
}

func parseAppInstance(v string) (instanceTarget, bool) {
	m := appInstanceFormat.FindStringSubmatch(v)
	if m == nil {
		return instanceTarget{}, false
	}
	return instanceTarget{guid: m[1], index: m[2]}, true
}

func parseProcessInstance(v string) (instanceTarget, bool) {
	m := processInstanceFormat.FindStringSubmatch(v)
	if m == nil {
		return instanceTarget{}, false
	}
	return instanceTarget{guid: m[1], index: m[2]}, true
}
