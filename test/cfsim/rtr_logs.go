package cfsim

import (
	"strconv"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// routerAccessLog puts a router's access line in the app's logs as RTR/<router index>, with
// the route endpoint's tags as gorouter attaches them.
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
}
