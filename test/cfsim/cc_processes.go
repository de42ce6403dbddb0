package cfsim

import (
	"net/http"
	"strconv"
	"time"
)

func (s *Sim) routeProcesses(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/processes", s.listProcesses)
	mux.HandleFunc("GET /v3/apps/{guid}/processes", s.withApp(s.listAppProcesses))
	mux.HandleFunc("GET /v3/apps/{guid}/processes/{type}", s.withAppProcess(s.getProcess))
	mux.HandleFunc("GET /v3/apps/{guid}/processes/{type}/stats", s.withAppProcess(s.getProcessStats))
	mux.HandleFunc("POST /v3/apps/{guid}/processes/{type}/actions/scale", s.withAppProcess(s.scaleProcess))
	mux.HandleFunc("GET /v3/processes/{pguid}", s.withProcess(s.getProcess))
	mux.HandleFunc("PATCH /v3/processes/{pguid}", s.withProcess(s.updateProcess))
	mux.HandleFunc("GET /v3/processes/{pguid}/stats", s.withProcess(s.getProcessStats))
	mux.HandleFunc("GET /v3/processes/{pguid}/process_instances", s.withProcess(s.getProcessInstances))
	mux.HandleFunc("POST /v3/processes/{pguid}/actions/scale", s.withProcess(s.scaleProcess))
	mux.HandleFunc("DELETE /v3/processes/{pguid}/instances/{index}", s.withProcess(s.terminateInstance))
}

// Default process sizes: cf-deployment's default_app_memory and disk.
const (
	defaultMemoryMB = 1024
	defaultDiskMB   = 1024
	defaultHealthS  = 60 // cc.default_health_check_timeout
)

func (s *Sim) withProcess(h func(http.ResponseWriter, *http.Request, *process)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		p, ok := s.processes[r.PathValue("pguid")]
		if !ok {
			writeError(w, errNotFound("Process"))
			return
		}
		h(w, r, p)
	}
}

// withAppProcess resolves /v3/apps/:guid/processes/:type to the newest process of that type,
// as CC's process fetcher does during a deployment
// (docs/platform/apps-and-staging.md#an-app-in-the-middle-of-a-deployment).
func (s *Sim) withAppProcess(h func(http.ResponseWriter, *http.Request, *process)) http.HandlerFunc {
	return s.withApp(func(w http.ResponseWriter, r *http.Request, a *app) {
		ps := s.appProcesses(a.guid, r.PathValue("type"))
		if len(ps) == 0 {
			writeError(w, errNotFound("Process"))
			return
		}
		h(w, r, ps[len(ps)-1])
	})
}

// appProcesses lists an app's processes of one type ("" = all), oldest first.
func (s *Sim) appProcesses(appGUID, kind string) []*process {
	var out []*process
	for _, p := range sorted(s.processes, func(p *process) int64 { return p.seq }) {
		if p.appGUID == appGUID && (kind == "" || p.kind == kind) {
			out = append(out, p)
		}
	}
	return out
}

// newProcess creates a process with CC's defaults. Callers hold s.mu.
func (s *Sim) newProcess(appGUID, kind string) *process {
	p := &process{base: s.nextBase(), appGUID: appGUID, kind: kind, memoryMB: defaultMemoryMB,
		diskMB: defaultDiskMB, logRate: -1, health: healthCheck{kind: "port"},
		readiness: healthCheck{kind: "process"}, meta: newMetadata()}
	if kind == "web" {
		p.instances = 1
	}
	s.processes[p.guid] = p
	return p
}

func presentHealth(h healthCheck, readiness bool) map[string]any {
	data := map[string]any{}
	if !readiness {
		data["timeout"] = h.timeout
	}
	data["invocation_timeout"] = h.invocationTimeout
	if h.interval != nil {
		data["interval"] = h.interval
	}
	if h.kind == "http" {
		data["endpoint"] = h.endpoint
	}
	return map[string]any{"type": h.kind, "data": data}
}

func (s *Sim) presentProcess(p *process) map[string]any {
	path := "/v3/processes/" + p.guid
	a := s.apps[p.appGUID]
	var cmd any
	if c := s.commandFor(p, a.dropletGUID); c != "" {
		cmd = c
	}
	return map[string]any{
		"guid": p.guid, "type": p.kind, "command": cmd, "user": "vcap", "instances": p.instances,
		"memory_in_mb": p.memoryMB, "disk_in_mb": p.diskMB, "log_rate_limit_in_bytes_per_second": p.logRate,
		"health_check": presentHealth(p.health, false), "readiness_health_check": presentHealth(p.readiness, true),
		"relationships": map[string]any{"app": rel(p.appGUID), "revision": rel(p.revisionGUID)},
		"metadata":      p.meta.present(), "created_at": timestamp(p.created), "updated_at": timestamp(p.updated),
		"version": p.lrpVersion,
		"links": map[string]any{"self": link(s.base, path), "scale": linkMethod(s.base, path+"/actions/scale", "POST"),
			"app": link(s.base, "/v3/apps/"+p.appGUID), "space": link(s.base, "/v3/spaces/"+a.spaceGUID),
			"stats": link(s.base, path+"/stats"), "process_instances": link(s.base, path+"/process_instances")},
	}
}

func (s *Sim) listProcesses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := processesQuery.check(q); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, p := range sorted(s.processes, func(p *process) int64 { return p.seq }) {
		if matches(listFilter(q, "app_guids"), p.appGUID) && matches(listFilter(q, "types"), p.kind) &&
			matches(listFilter(q, "guids"), p.guid) && s.processInSpaces(r, p) {
			items = append(items, s.presentProcessFor(r, p))
		}
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) listAppProcesses(w http.ResponseWriter, r *http.Request, a *app) {
	if err := processesQuery.check(r.URL.Query()); err != nil {
		writeError(w, err)
		return
	}
	var items []any
	for _, p := range s.appProcesses(a.guid, "") {
		if matches(listFilter(r.URL.Query(), "types"), p.kind) {
			items = append(items, s.presentProcessFor(r, p))
		}
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getProcess(w http.ResponseWriter, r *http.Request, p *process) {
	writeJSON(w, http.StatusOK, s.presentProcessFor(r, p))
}

// deploying is true while the app has an ACTIVE deployment.
func (s *Sim) deploying(appGUID string) bool {
	for _, d := range s.deployments {
		if d.appGUID == appGUID && d.active() {
			return true
		}
	}
	return false
}

type scaleBody struct {
	Instances *int `json:"instances"`
	MemoryMB  *int `json:"memory_in_mb"`
	DiskMB    *int `json:"disk_in_mb"`
	LogRate   *int `json:"log_rate_limit_in_bytes_per_second"`
}

func (b scaleBody) validate() *ccError {
	if b.Instances != nil && *b.Instances < 0 {
		return errUnprocessable("Instances must be greater than or equal to 0")
	}
	if b.MemoryMB != nil && *b.MemoryMB < 1 {
		return errUnprocessable("Memory in mb must be greater than 0")
	}
	if b.DiskMB != nil && *b.DiskMB < 1 {
		return errUnprocessable("Disk in mb must be greater than 0")
	}
	return nil
}

func (s *Sim) scaleProcess(w http.ResponseWriter, r *http.Request, p *process) {
	var body scaleBody
	if err := decodeBody(r, &body, "instances", "memory_in_mb", "disk_in_mb", "log_rate_limit_in_bytes_per_second"); err != nil {
		writeError(w, err)
		return
	}
	if err := s.scale(p, body); err != nil {
		writeError(w, err)
		return
	}
	s.recordAppEvent("audit.app.process.scale", s.apps[p.appGUID], processScaleEventData(p, body))
	writeJSON(w, http.StatusAccepted, s.presentProcess(p))
}

// scale applies a scale request, refusing web processes during a deployment and anything
// beyond quota. Callers hold s.mu.
func (s *Sim) scale(p *process, b scaleBody) *ccError {
	if err := b.validate(); err != nil {
		return err
	}
	if p.kind == "web" && s.deploying(p.appGUID) {
		return errUnprocessable("Cannot scale this process while a deployment is in flight.")
	}
	inst, mem := p.instances, p.memoryMB
	if b.Instances != nil {
		inst = *b.Instances
	}
	if b.MemoryMB != nil {
		mem = *b.MemoryMB
	}
	if p.running && inst*mem > p.instances*p.memoryMB {
		extraMem, extraInst := inst*mem-p.instances*p.memoryMB, max(inst-p.instances, 0)
		if which := s.quotaExceeded(s.apps[p.appGUID].spaceGUID, extraMem, extraInst); which != "" {
			return quotaError(which)
		}
	}
	p.instances, p.memoryMB = inst, mem
	if b.DiskMB != nil {
		p.diskMB = *b.DiskMB
	}
	if b.LogRate != nil {
		p.logRate = *b.LogRate
	}
	p.updated = time.Now()
	s.changed()
	return nil
}

type healthBody struct {
	Type string `json:"type"`
	Data struct {
		Timeout           *int   `json:"timeout"`
		InvocationTimeout *int   `json:"invocation_timeout"`
		Interval          *int   `json:"interval"`
		Endpoint          string `json:"endpoint"`
	} `json:"data"`
}

func (h *healthBody) toCheck(readiness bool) (healthCheck, *ccError) {
	kinds := map[string]bool{"port": true, "http": true, "process": true, "none": !readiness}
	if !kinds[h.Type] {
		return healthCheck{}, errUnprocessable("Health check type must be \"port\", \"process\", or \"http\"")
	}
	if h.Data.Timeout != nil && (*h.Data.Timeout < 1 || *h.Data.Timeout > 180) {
		return healthCheck{}, errUnprocessable("Health check timeout must be less than or equal to 180")
	}
	kind := h.Type
	if kind == "none" {
		kind = "process"
	}
	if h.Data.Endpoint == "" && kind == "http" {
		h.Data.Endpoint = "/"
	}
	return healthCheck{kind: kind, endpoint: h.Data.Endpoint, timeout: h.Data.Timeout,
		invocationTimeout: h.Data.InvocationTimeout, interval: h.Data.Interval}, nil
}

// updateProcess changes the command and health checks. A null command reverts to the
// droplet's detected one
// (docs/platform/apps-and-staging.md#updating-and-scaling). Changes apply to instances started
// later.
func (s *Sim) updateProcess(w http.ResponseWriter, r *http.Request, p *process) {
	var body struct {
		Command   *string        `json:"command"`
		Health    *healthBody    `json:"health_check"`
		Readiness *healthBody    `json:"readiness_health_check"`
		Metadata  *metadataPatch `json:"metadata"`
	}
	keys, err := decodeBodyKeys(r, &body, "command", "health_check", "readiness_health_check", "metadata")
	if err != nil {
		writeError(w, err)
		return
	}
	if p.kind == "web" && s.deploying(p.appGUID) && (body.Health != nil || body.Readiness != nil || body.Command != nil) {
		writeError(w, errUnprocessable("Cannot update this process while a deployment is in flight."))
		return
	}
	if err := applyHealthUpdate(p, body.Health, body.Readiness); err != nil {
		writeError(w, err)
		return
	}
	if _, ok := keys["command"]; ok {
		p.command = body.Command
	}
	p.meta.apply(body.Metadata)
	p.updated = time.Now()
	writeJSON(w, http.StatusOK, s.presentProcess(p))
}

func applyHealthUpdate(p *process, health, readiness *healthBody) *ccError {
	if health != nil {
		h, err := health.toCheck(false)
		if err != nil {
			return err
		}
		p.health = h
	}
	if readiness != nil {
		h, err := readiness.toCheck(true)
		if err != nil {
			return err
		}
		p.readiness = h
	}
	return nil
}

// instanceCounts are the process's desired indexes as Diego reports them.
func (s *Sim) processStats(p *process) []map[string]any {
	var out []map[string]any
	for i := 0; i < p.instances; i++ {
		inst := s.instances[p.guid][i]
		out = append(out, s.presentInstance(p, i, inst))
	}
	return out
}

func (s *Sim) presentInstance(p *process, index int, inst *instance) map[string]any {
	if inst == nil || !p.running || inst.state == "DOWN" {
		var details any
		if inst != nil && inst.details != "" {
			details = inst.details
		}
		return map[string]any{"type": p.kind, "index": index, "state": "DOWN", "routable": nil,
			"uptime": 0, "isolation_segment": nil, "details": details}
	}
	st := map[string]any{"type": p.kind, "index": index, "instance_guid": inst.guid, "state": inst.state,
		"routable": inst.state == "RUNNING" && inst.routable, "host": "127.0.0.1", "instance_internal_ip": "127.0.0.1",
		"uptime": 0, "mem_quota": p.memoryMB << 20, "disk_quota": p.diskMB << 20, "fds_quota": 16384,
		"isolation_segment": nil, "log_rate_limit": p.logRate, "details": nil,
		"usage": map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "cpu": 0, "cpu_entitlement": 0,
			"mem": 0, "disk": 0, "log_rate": 0},
		"instance_ports": []map[string]int{{"external": inst.port, "internal": inst.port}},
	}
	if inst.state == "RUNNING" {
		st["uptime"] = int(time.Since(inst.since).Seconds())
	}
	return st
}

func (s *Sim) getProcessStats(w http.ResponseWriter, _ *http.Request, p *process) {
	items := []any{}
	for _, st := range s.processStats(p) {
		items = append(items, st)
	}
	writeJSON(w, http.StatusOK, map[string]any{"resources": items})
}

func (s *Sim) getProcessInstances(w http.ResponseWriter, _ *http.Request, p *process) {
	items := []any{}
	for _, st := range s.processStats(p) {
		since := int64(0)
		if inst := s.instances[p.guid][st["index"].(int)]; inst != nil {
			since = inst.since.Unix()
		}
		items = append(items, map[string]any{"index": st["index"], "state": st["state"], "since": since})
	}
	path := "/v3/processes/" + p.guid
	writeJSON(w, http.StatusOK, map[string]any{"resources": items,
		"links": map[string]any{"self": link(s.base, path+"/process_instances"), "process": link(s.base, path)}})
}

// terminateInstance kills one instance; Diego starts it again
// (docs/platform/apps-and-staging.md#updating-and-scaling).
func (s *Sim) terminateInstance(w http.ResponseWriter, r *http.Request, p *process) {
	idx, err := strconv.Atoi(r.PathValue("index"))
	inst := s.instances[p.guid][idx]
	if err != nil || inst == nil {
		writeError(w, errNotFound("Instance"))
		return
	}
	s.diego.remove(p.guid, idx)
	s.changed()
	w.WriteHeader(http.StatusNoContent)
}
