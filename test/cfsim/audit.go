package cfsim

import (
	"net/http"
	"slices"

	"gopkg.in/yaml.v3"
)

// eventActor is who an audit event says acted: {guid, type, name}.
type eventActor struct{ guid, kind, name string }

// eventsQuery is CC's audit events list message.
var eventsQuery = listQuery{params: []string{"types", "target_guids", "space_guids", "organization_guids"}}

func (s *Sim) routeAuditEvents(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/audit_events", s.listAuditEvents)
	mux.HandleFunc("GET /v3/audit_events/{guid}", s.getAuditEvent)
}

// recordEvent adds an audit event the platform raised for an app's process (a crash).
// Callers hold s.mu.
func (s *Sim) recordEvent(kind, targetGUID, targetName string, data map[string]any) {
	e := &auditEvent{base: s.nextBase(), kind: kind, targetGUID: targetGUID, targetName: targetName, data: data,
		actor: eventActor{targetGUID, "process", targetName}}
	if a := s.apps[targetGUID]; a != nil {
		e.spaceGUID = a.spaceGUID
	}
	s.events = append(s.events, e)
}

// recordAppEvent adds an audit.app.* event the user caused. Every token cfsim issues acts
// for the one configured user, so that user is the actor. Callers hold s.mu.
func (s *Sim) recordAppEvent(kind string, a *app, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	s.events = append(s.events, &auditEvent{base: s.nextBase(), kind: kind, targetGUID: a.guid, targetName: a.name,
		spaceGUID: a.spaceGUID, data: data, actor: eventActor{s.uaa.userID, "user", s.cfg.Username}})
}

func (s *Sim) presentAuditEvent(e *auditEvent) map[string]any {
	out := map[string]any{
		"guid": e.guid, "created_at": timestamp(e.created), "updated_at": timestamp(e.updated), "type": e.kind,
		"actor":  map[string]string{"guid": e.actor.guid, "type": e.actor.kind, "name": e.actor.name},
		"target": map[string]string{"guid": e.targetGUID, "type": "app", "name": e.targetName},
		"data":   e.data, "space": nil, "organization": nil,
		"links": map[string]any{"self": link(s.base, "/v3/audit_events/"+e.guid)},
	}
	if sp := s.spaces[e.spaceGUID]; sp != nil {
		out["space"] = map[string]string{"guid": sp.guid}
		out["organization"] = map[string]string{"guid": sp.orgGUID}
	}
	return out
}

// listAuditEvents filters by types, target_guids (target_guids[not] excludes), space_guids
// and organization_guids, and orders by order_by (cf events asks for -created_at).
func (s *Sim) listAuditEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := eventsQuery.check(q); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, e := range s.events {
		org := ""
		if sp := s.spaces[e.spaceGUID]; sp != nil {
			org = sp.orgGUID
		}
		if !matches(listFilter(q, "types"), e.kind) || !matches(listFilter(q, "target_guids"), e.targetGUID) ||
			slices.Contains(listFilter(q, "target_guids[not]"), e.targetGUID) ||
			!matches(listFilter(q, "space_guids"), e.spaceGUID) || !matches(listFilter(q, "organization_guids"), org) {
			continue
		}
		items = append(items, s.presentAuditEvent(e))
	}
	items, err := orderList(items, q.Get("order_by"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getAuditEvent(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		if e.guid == r.PathValue("guid") {
			writeJSON(w, http.StatusOK, s.presentAuditEvent(e))
			return
		}
	}
	writeError(w, errNotFound("Event"))
}

// privateData is how CC's audit events show environment variables and commands.
const privateData = "[PRIVATE DATA HIDDEN]"

func appCreateEventData(b appCreateBody) map[string]any {
	req := map[string]any{"name": b.Name,
		"relationships": map[string]any{"space": map[string]any{"data": map[string]any{"guid": b.Relationships.Space.Data.GUID}}}}
	if b.Env != nil {
		req["environment_variables"] = privateData
	}
	return map[string]any{"request": req}
}

func appUpdateEventData(name *string, l *lifecycleBody) map[string]any {
	req := map[string]any{}
	if name != nil {
		req["name"] = *name
	}
	if l != nil {
		req["lifecycle"] = map[string]any{"type": "buildpack", "data": map[string]any{"buildpacks": l.Data.Buildpacks}}
	}
	return map[string]any{"request": req}
}

func processScaleEventData(p *process, b scaleBody) map[string]any {
	req := map[string]any{}
	for k, v := range map[string]*int{"instances": b.Instances, "memory_in_mb": b.MemoryMB, "disk_in_mb": b.DiskMB,
		"log_rate_limit_in_bytes_per_second": b.LogRate} {
		if v != nil {
			req[k] = *v
		}
	}
	return map[string]any{"process_guid": p.guid, "process_type": p.kind, "request": req}
}

// deploymentEventData is what CC records for a deployment: type "rollback" when it deploys
// a revision.
func deploymentEventData(d *deployment, rollback bool) map[string]any {
	var kind, revision, droplet any
	if rollback {
		kind = "rollback"
	}
	if d.revisionGUID != "" {
		revision = d.revisionGUID
	}
	if d.dropletGUID != "" {
		droplet = d.dropletGUID
	}
	req := map[string]any{"strategy": d.strategy,
		"relationships": map[string]any{"app": map[string]any{"data": map[string]any{"guid": d.appGUID}}}}
	return map[string]any{"deployment_guid": d.guid, "droplet_guid": droplet, "type": kind,
		"revision_guid": revision, "request": req, "strategy": d.strategy}
}

// routeEventData is what audit.app.map-route and unmap-route record.
func routeEventData(rt *route, d *destination) map[string]any {
	data := map[string]any{"route_guid": rt.guid, "app_port": d.port, "route_mapping_guid": d.guid,
		"destination_guid": d.guid, "process_type": d.processType, "weight": nil, "protocol": d.protocol}
	if len(rt.options) > 0 {
		data["route_options"] = copyMap(rt.options)
	}
	return data
}

// recordApplyManifest records audit.app.apply_manifest for each app of a manifest, with
// that app's part of it as YAML (env hidden), as CC does before it queues the job.
// Callers hold s.mu.
func (s *Sim) recordApplyManifest(raw []byte, apps []*app) {
	var m struct {
		Applications []map[string]any `yaml:"applications"`
	}
	_ = yaml.Unmarshal(raw, &m)
	for i, a := range apps {
		if a == nil || i >= len(m.Applications) {
			continue
		}
		entry := m.Applications[i]
		if _, ok := entry["env"]; ok {
			entry["env"] = privateData
		}
		text, _ := yaml.Marshal(map[string]any{"applications": []any{entry}})
		s.recordAppEvent("audit.app.apply_manifest", a, map[string]any{"request": map[string]any{"manifest": "---\n" + string(text)}})
	}
}
