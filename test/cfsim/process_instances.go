package cfsim

import (
	"net/http"
	"slices"
	"time"
)

// processesQuery is CC's processes list message (app_guid is the nested apps route's).
var processesQuery = listQuery{
	params: []string{"app_guid", "types", "space_guids", "organization_guids", "app_guids", "embed", "label_selector"},
	embed:  []string{"process_instances"},
}

// presentProcessFor presents a process, with its instances embedded when the request asks
// for embed=process_instances (cf apps reads instance counts from them).
func (s *Sim) presentProcessFor(r *http.Request, p *process) map[string]any {
	out := s.presentProcess(p)
	if slices.Contains(listFilter(r.URL.Query(), "embed"), "process_instances") {
		out["process_instances"] = s.embeddedInstances(p)
	}
	return out
}

// embeddedInstances is one entry per desired index: DOWN with since null when the process
// is stopped or the index has no instance, else the instance's state and since as its age
// in seconds, as CC's instances reporter gives them.
func (s *Sim) embeddedInstances(p *process) []map[string]any {
	out := []map[string]any{}
	for i := 0; i < p.instances; i++ {
		entry := map[string]any{"index": i, "state": "DOWN", "since": nil}
		if inst := s.instances[p.guid][i]; inst != nil && s.shouldRun(p) && inst.state != "DOWN" {
			entry["state"] = inst.state
			entry["since"] = int(time.Since(inst.since).Seconds())
		}
		out = append(out, entry)
	}
	return out
}

// processInSpaces applies the space_guids and organization_guids filters. Callers hold s.mu.
func (s *Sim) processInSpaces(r *http.Request, p *process) bool {
	q := r.URL.Query()
	a := s.apps[p.appGUID]
	if a == nil {
		return false
	}
	return matches(listFilter(q, "space_guids"), a.spaceGUID) &&
		matches(listFilter(q, "organization_guids"), s.spaces[a.spaceGUID].orgGUID)
}
