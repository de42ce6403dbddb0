package cfsim

import (
	"encoding/json"
	"strings"
)

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
