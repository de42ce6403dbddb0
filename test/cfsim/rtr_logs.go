package cfsim

import (
	"strconv"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// routerAccessLog records what a router says about a request it proxied to an app instance:
// its access line in the app's logs as RTR/<router index>, and its HttpStartStop event as the
// app's http timer, both with the route endpoint's tags as gorouter attaches them.
func (s *Sim) routerAccessLog(rec router.AccessLogRecord) {
	ep := rec.Endpoint
	extra := map[string]string{"component": "route-emitter", "process_id": ep.ProcessGUID,
		"process_instance_id": ep.InstanceGUID, "instance_id": strconv.Itoa(ep.Index)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.processes[ep.ProcessGUID]; p != nil {
		extra["process_type"] = p.kind
	}
	src := logSource{appGUID: ep.AppGUID, sourceType: "RTR", instance: strconv.Itoa(rec.Router), origin: "gorouter", extra: extra}
	s.emit(src, "OUT", rec.Line)
	s.emitHTTPTimer(rec, extra)
}

// emitHTTPTimer keeps gorouter's HttpStartStop event for a request as Log Cache holds it once
// the loggregator agent has converted it to a v2 envelope (go-loggregator conversion/tov2.go,
// docs/platform/logs-and-metrics.md#metrics-per-app): a TIMER named http in the app's source,
// instance_id the instance index, start and stop the router's own measure of the request, and
// the endpoint's tags plus the request's. Callers hold s.mu.
func (s *Sim) emitHTTPTimer(rec router.AccessLogRecord, endpointTags map[string]string) {
	tags := s.appTags(rec.Endpoint.AppGUID)
	for k, v := range endpointTags {
		tags[k] = v
	}
	for k, v := range map[string]string{"request_id": rec.RequestID, "peer_type": "Server", "method": rec.Method,
		"uri": rec.URI, "remote_address": rec.RemoteAddr, "user_agent": rec.UserAgent,
		"status_code": strconv.Itoa(rec.Status), "content_length": strconv.Itoa(rec.ContentLength),
		"forwarded": rec.Forwarded} {
		tags[k] = v
	}
	buf := s.buffer(rec.Endpoint.AppGUID)
	buf.add(logEntry{ts: rec.Finished.UnixNano(), instance: strconv.Itoa(rec.Endpoint.Index), tags: tags,
		timer: &timerMsg{name: "http", start: rec.Started.UnixNano(), stop: rec.Finished.UnixNano()}})
	buf.trim()
}
