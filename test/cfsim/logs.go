package cfsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// recordEvent adds an audit event. Callers hold s.mu.
func (s *Sim) recordEvent(kind, targetGUID, targetName string, data map[string]any) {
	e := &auditEvent{base: s.nextBase(), kind: kind, targetGUID: targetGUID, targetName: targetName, data: data}
	if a := s.apps[targetGUID]; a != nil {
		e.spaceGUID = a.spaceGUID
	}
	s.events = append(s.events, e)
}

func (s *Sim) listAuditEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, e := range s.events {
		if !matches(listFilter(q, "types"), e.kind) || !matches(listFilter(q, "target_guids"), e.targetGUID) ||
			!matches(listFilter(q, "space_guids"), e.spaceGUID) {
			continue
		}
		items = append(items, map[string]any{
			"guid": e.guid, "created_at": timestamp(e.created), "updated_at": timestamp(e.updated), "type": e.kind,
			"actor":  map[string]string{"guid": e.targetGUID, "type": "process", "name": e.targetName},
			"target": map[string]string{"guid": e.targetGUID, "type": "app", "name": e.targetName},
			"data":   e.data, "space": map[string]string{"guid": e.spaceGUID},
			"links": map[string]any{"self": link(s.base, "/v3/audit_events/"+e.guid)},
		})
	}
	writeList(w, r, s.base, items)
}

// vcapApplication is the VCAP_APPLICATION an instance sees. Callers hold s.mu.
func (s *Sim) vcapApplication(a *app, p *process) map[string]any {
	sp := s.spaces[a.spaceGUID]
	o := s.orgs[sp.orgGUID]
	uris := s.appURIs(a.guid)
	v := map[string]any{
		"application_id": a.guid, "application_name": a.name, "application_uris": uris,
		"name": a.name, "uris": uris, "space_id": sp.guid, "space_name": sp.name,
		"organization_id": o.guid, "organization_name": o.name, "cf_api": s.base,
		"limits": map[string]any{"fds": 16384},
	}
	if p != nil {
		v["application_version"] = p.lrpVersion
		v["version"] = p.lrpVersion
		v["process_id"] = p.guid
		v["process_type"] = p.kind
		v["limits"] = map[string]any{"fds": 16384, "mem": p.memoryMB, "disk": p.diskMB}
	}
	return v
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func upper(s string) string { return strings.ToUpper(s) }
