package cfsim

import (
	"net/http"
	"strings"
	"time"
)

func (s *Sim) routeApps(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/apps", s.createApp)
	mux.HandleFunc("GET /v3/apps", s.listApps)
	mux.HandleFunc("GET /v3/apps/{guid}", s.withApp(s.getApp))
	mux.HandleFunc("PATCH /v3/apps/{guid}", s.withApp(s.updateApp))
	mux.HandleFunc("DELETE /v3/apps/{guid}", s.withApp(s.deleteApp))
	mux.HandleFunc("POST /v3/apps/{guid}/actions/start", s.withApp(s.startApp))
	mux.HandleFunc("POST /v3/apps/{guid}/actions/stop", s.withApp(s.stopApp))
	mux.HandleFunc("POST /v3/apps/{guid}/actions/restart", s.withApp(s.restartApp))
	mux.HandleFunc("GET /v3/apps/{guid}/environment_variables", s.withApp(s.getAppEnvVars))
	mux.HandleFunc("PATCH /v3/apps/{guid}/environment_variables", s.withApp(s.patchAppEnvVars))
	mux.HandleFunc("GET /v3/apps/{guid}/env", s.withApp(s.getAppEnv))
	mux.HandleFunc("GET /v3/apps/{guid}/features", s.withApp(s.listAppFeatures))
	mux.HandleFunc("GET /v3/apps/{guid}/features/{name}", s.withApp(s.getAppFeature))
	mux.HandleFunc("PATCH /v3/apps/{guid}/features/{name}", s.withApp(s.patchAppFeature))
	mux.HandleFunc("GET /v3/apps/{guid}/manifest", s.withApp(s.getAppManifest))
}

// withApp looks the app up under s.mu and answers 404 "App not found" when it is missing.
// The handler runs with s.mu held.
func (s *Sim) withApp(h func(http.ResponseWriter, *http.Request, *app)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		a, ok := s.apps[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("App"))
			return
		}
		h(w, r, a)
	}
}

func (s *Sim) presentApp(a *app) map[string]any {
	p := "/v3/apps/" + a.guid
	links := map[string]any{"self": link(s.base, p), "space": link(s.base, "/v3/spaces/"+a.spaceGUID),
		"start": linkMethod(s.base, p+"/actions/start", "POST"), "stop": linkMethod(s.base, p+"/actions/stop", "POST"),
		"clear_buildpack_cache": linkMethod(s.base, p+"/actions/clear_buildpack_cache", "POST")}
	for _, sub := range []string{"environment_variables", "processes", "packages", "droplets", "tasks",
		"revisions", "features"} {
		links[sub] = link(s.base, p+"/"+sub)
	}
	links["current_droplet"] = link(s.base, p+"/droplets/current")
	links["deployed_revisions"] = link(s.base, p+"/revisions/deployed")
	return map[string]any{
		"guid": a.guid, "created_at": timestamp(a.created), "updated_at": timestamp(a.updated),
		"name": a.name, "state": a.state, "lifecycle": presentLifecycle(a.lifecycle),
		"relationships": map[string]any{"space": rel(a.spaceGUID), "current_droplet": rel(a.dropletGUID)},
		"metadata":      a.meta.present(), "links": links,
	}
}

func presentLifecycle(l lifecycle) map[string]any {
	if l.kind == dockerLifecycle {
		return map[string]any{"type": dockerLifecycle, "data": map[string]any{}}
	}
	bps := l.buildpacks
	if bps == nil {
		bps = []string{}
	}
	return map[string]any{"type": "buildpack", "data": map[string]any{"buildpacks": bps, "stack": l.stack}}
}

type lifecycleBody struct {
	Type string `json:"type"`
	Data struct {
		Buildpacks []string `json:"buildpacks"`
		Stack      string   `json:"stack"`
	} `json:"data"`
}

// lifecycleFrom validates a requested lifecycle; the simulator stages buildpack apps only.
func lifecycleFrom(b *lifecycleBody, current lifecycle) (lifecycle, *ccError) {
	if b == nil {
		return current, nil
	}
	from := "buildpack"
	if current.kind == dockerLifecycle {
		from = dockerLifecycle
	}
	if b.Type != "" && b.Type != from {
		return current, errUnprocessable("Lifecycle type cannot be changed from " + from + " to " + b.Type)
	}
	l := current
	if b.Data.Buildpacks != nil {
		l.buildpacks = b.Data.Buildpacks
	}
	if b.Data.Stack != "" {
		l.stack = b.Data.Stack
	}
	return l, nil
}

type appCreateBody struct {
	Name          string            `json:"name"`
	Env           map[string]string `json:"environment_variables"`
	Lifecycle     *lifecycleBody    `json:"lifecycle"`
	Metadata      *metadataPatch    `json:"metadata"`
	Relationships struct {
		Space struct {
			Data struct {
				GUID string `json:"guid"`
			} `json:"data"`
		} `json:"space"`
	} `json:"relationships"`
}

func (s *Sim) createApp(w http.ResponseWriter, r *http.Request) {
	var body appCreateBody
	if err := decodeBody(r, &body, "name", "environment_variables", "lifecycle", "metadata", "relationships"); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.newApp(body)
	if err != nil {
		writeError(w, err)
		return
	}
	s.recordAppEvent("audit.app.create", a, appCreateEventData(body))
	writeJSON(w, http.StatusCreated, s.presentApp(a))
}

// newApp validates and stores an app; callers hold s.mu.
func (s *Sim) newApp(body appCreateBody) (*app, *ccError) {
	spaceGUID := body.Relationships.Space.Data.GUID
	if _, ok := s.spaces[spaceGUID]; !ok {
		return nil, errUnprocessable("Invalid space. Ensure that the space exists and you have access to it.")
	}
	if strings.TrimSpace(body.Name) == "" {
		return nil, errUnprocessable("Name can't be blank")
	}
	if s.appNamed(spaceGUID, body.Name) != nil {
		return nil, errUniqueness("App with the name '" + body.Name + "' already exists.")
	}
	if err := validateEnvNames(body.Env); err != nil {
		return nil, err
	}
	initial := lifecycle{stack: "cflinuxfs4"}
	if body.Lifecycle != nil && body.Lifecycle.Type == dockerLifecycle {
		if err := s.featureDisabled("diego_docker"); err != nil {
			return nil, err
		}
		initial = lifecycle{kind: dockerLifecycle}
	}
	l, err := lifecycleFrom(body.Lifecycle, initial)
	if err != nil {
		return nil, err
	}
	a := &app{base: s.nextBase(), name: body.Name, spaceGUID: spaceGUID, state: "STOPPED", lifecycle: l,
		env: map[string]string{}, meta: newMetadata(), revisions: true, ssh: true}
	for k, v := range body.Env {
		a.env[k] = v
	}
	a.meta.apply(body.Metadata)
	s.apps[a.guid] = a
	return a, nil
}

func (s *Sim) appNamed(spaceGUID, name string) *app {
	for _, a := range s.apps {
		if a.spaceGUID == spaceGUID && a.name == name {
			return a
		}
	}
	return nil
}

func validateEnvNames(env map[string]string) *ccError {
	for k := range env {
		if strings.HasPrefix(k, "VCAP_") {
			return errUnprocessable("Environment variables cannot start with VCAP_")
		}
		if k == "PORT" {
			return errUnprocessable("Environment variables cannot set PORT")
		}
	}
	return nil
}

func (s *Sim) listApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel, cerr := parseLabelSelector(q.Get("label_selector"))
	if q.Get("label_selector") == "" {
		sel, cerr = nil, nil
	}
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, a := range sorted(s.apps, func(a *app) int64 { return a.seq }) {
		orgGUID := s.spaces[a.spaceGUID].orgGUID
		if matches(listFilter(q, "names"), a.name) && matches(listFilter(q, "guids"), a.guid) &&
			matches(listFilter(q, "space_guids"), a.spaceGUID) &&
			matches(listFilter(q, "organization_guids"), orgGUID) && sel.matches(a.meta.labels) {
			items = append(items, s.presentApp(a))
		}
	}
	items, cerr = orderList(items, q.Get("order_by"), "name", "state")
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getApp(w http.ResponseWriter, _ *http.Request, a *app) {
	writeJSON(w, http.StatusOK, s.presentApp(a))
}

func (s *Sim) updateApp(w http.ResponseWriter, r *http.Request, a *app) {
	var body struct {
		Name      *string        `json:"name"`
		Lifecycle *lifecycleBody `json:"lifecycle"`
		Metadata  *metadataPatch `json:"metadata"`
	}
	if err := decodeBody(r, &body, "name", "lifecycle", "metadata"); err != nil {
		writeError(w, err)
		return
	}
	if body.Name != nil {
		if strings.TrimSpace(*body.Name) == "" {
			writeError(w, errUnprocessable("Name can't be blank"))
			return
		}
		// A rename clash is CF-UnprocessableEntity, unlike the create clash
		// (docs/platform/apps-and-staging.md#creating-finding-renaming-and-deleting-apps).
		if other := s.appNamed(a.spaceGUID, *body.Name); other != nil && other != a {
			writeError(w, errUnprocessable("App with the name '"+*body.Name+"' already exists."))
			return
		}
	}
	l, err := lifecycleFrom(body.Lifecycle, a.lifecycle)
	if err != nil {
		writeError(w, err)
		return
	}
	if body.Name != nil {
		a.name = *body.Name
	}
	a.lifecycle = l
	a.meta.apply(body.Metadata)
	a.updated = time.Now()
	s.changed()
	s.recordAppEvent("audit.app.update", a, appUpdateEventData(body.Name, body.Lifecycle))
	writeJSON(w, http.StatusOK, s.presentApp(a))
}

func (s *Sim) deleteApp(w http.ResponseWriter, _ *http.Request, a *app) {
	s.recordAppEvent("audit.app.delete-request", a, nil)
	a.deleting = true
	j := s.startJob("app.delete", a.spaceGUID, func() []*ccError {
		s.destroyApp(a)
		return nil
	})
	writeAccepted(w, s.jobURL(j))
}

// destroyApp removes an app and everything that belongs to it; Diego stops its instances
// at the next convergence. Callers hold s.mu.
func (s *Sim) destroyApp(a *app) {
	for g, p := range s.processes {
		if p.appGUID == a.guid {
			delete(s.processes, g)
		}
	}
	for _, rt := range s.routes {
		rt.destinations = keepDestinations(rt.destinations, func(d *destination) bool { return d.appGUID != a.guid })
	}
	for g, p := range s.packages {
		if p.appGUID == a.guid {
			delete(s.packages, g)
		}
	}
	for g, b := range s.builds {
		if b.appGUID == a.guid {
			delete(s.builds, g) // a staging one finds its package gone and stops
		}
	}
	for g, d := range s.droplets {
		if d.appGUID == a.guid {
			delete(s.droplets, g)
		}
	}
	for g, d := range s.deployments {
		if d.appGUID == a.guid {
			delete(s.deployments, g)
		}
	}
	for g, rv := range s.revisions {
		if rv.appGUID == a.guid {
			delete(s.revisions, g)
		}
	}
	s.deleteAppSidecars(a.guid)
	s.unbindApp(a.guid)
	delete(s.apps, a.guid)
	s.changed()
}

func (s *Sim) startApp(w http.ResponseWriter, _ *http.Request, a *app) {
	if err := s.dockerDisabled(a); err != nil {
		writeError(w, err)
		return
	}
	if err := s.start(a, false); err != nil {
		writeError(w, err)
		return
	}
	s.recordAppEvent("audit.app.start", a, nil)
	writeJSON(w, http.StatusOK, s.presentApp(a))
}

func (s *Sim) restartApp(w http.ResponseWriter, _ *http.Request, a *app) {
	if err := s.dockerDisabled(a); err != nil {
		writeError(w, err)
		return
	}
	if err := s.start(a, true); err != nil {
		writeError(w, err)
		return
	}
	s.recordAppEvent("audit.app.restart", a, nil)
	writeJSON(w, http.StatusOK, s.presentApp(a))
}

// start sets the app STARTED and desires its processes from the current droplet. A
// restart (or a start of a stopped app) gives every process a new LRP version, so Diego
// replaces its instances. Start returns at once; instances come up on their own timeline.
func (s *Sim) start(a *app, restart bool) *ccError {
	if a.dropletGUID == "" {
		return errUnprocessable("Assign a droplet before starting this app.")
	}
	if a.state == "STARTED" && !restart {
		return nil
	}
	memory, instances := s.stopped(a)
	if which := s.quotaExceeded(a.spaceGUID, memory, instances); which != "" {
		return quotaError(which)
	}
	a.state, a.updated = "STARTED", time.Now()
	rev := s.resolveRevision(a, a.dropletGUID, "")
	for _, p := range s.appProcesses(a.guid, "") {
		s.desire(p, a, a.dropletGUID, rev)
	}
	s.changed()
	return nil
}

// stopped is the memory and instances a start adds: those of processes not yet running.
func (s *Sim) stopped(a *app) (memoryMB, instances int) {
	for _, p := range s.appProcesses(a.guid, "") {
		if !p.running {
			memoryMB += p.instances * p.memoryMB
			instances += p.instances
		}
	}
	return memoryMB, instances
}

// desire hands a process to Diego with the given droplet: a new LRP version, the app's env
// as of now, the command from the process or else the droplet's detected one.
func (s *Sim) desire(p *process, a *app, dropletGUID string, rev *revision) {
	p.running, p.runDroplet, p.lrpVersion = true, dropletGUID, newGUID()
	p.runEnv = copyMap(a.env)
	if rev != nil {
		p.revisionGUID = rev.guid
		p.runEnv = copyMap(rev.env)
	}
	p.runEnv["VCAP_SERVICES"] = string(s.vcapServices(a.guid)) // bindings as of this start
	p.runCommand = s.commandFor(p, dropletGUID)
	p.updated = time.Now()
}

func (s *Sim) commandFor(p *process, dropletGUID string) string {
	if p.command != nil && *p.command != "" {
		return *p.command
	}
	if d := s.droplets[dropletGUID]; d != nil {
		return d.processTypes[p.kind]
	}
	return ""
}

func (s *Sim) stopApp(w http.ResponseWriter, _ *http.Request, a *app) {
	a.state, a.updated = "STOPPED", time.Now()
	for _, p := range s.appProcesses(a.guid, "") {
		p.running = false
	}
	s.changed()
	s.recordAppEvent("audit.app.stop", a, nil)
	writeJSON(w, http.StatusOK, s.presentApp(a))
}

func (s *Sim) presentEnvVars(a *app) map[string]any {
	p := "/v3/apps/" + a.guid
	return map[string]any{"var": copyMap(a.env),
		"links": map[string]any{"self": link(s.base, p+"/environment_variables"), "app": link(s.base, p)}}
}

func (s *Sim) getAppEnvVars(w http.ResponseWriter, _ *http.Request, a *app) {
	writeJSON(w, http.StatusOK, s.presentEnvVars(a))
}

// patchAppEnvVars merges; a null value deletes. Running instances keep the old values until
// the next restart or deployment
// (docs/platform/apps-and-staging.md#environment-variables-and-app-features).
func (s *Sim) patchAppEnvVars(w http.ResponseWriter, r *http.Request, a *app) {
	var body struct {
		Var map[string]*string `json:"var"`
	}
	if err := decodeBody(r, &body, "var"); err != nil {
		writeError(w, err)
		return
	}
	names := map[string]string{}
	for k := range body.Var {
		names[k] = ""
	}
	if err := validateEnvNames(names); err != nil {
		writeError(w, err)
		return
	}
	merge(a.env, body.Var)
	a.updated = time.Now()
	s.recordAppEvent("audit.app.update", a, map[string]any{"request": map[string]any{"environment_variables": privateData}})
	writeJSON(w, http.StatusOK, s.presentEnvVars(a))
}

func (s *Sim) getAppEnv(w http.ResponseWriter, _ *http.Request, a *app) {
	writeJSON(w, http.StatusOK, map[string]any{
		"staging_env_json": map[string]any{}, "running_env_json": map[string]any{},
		"environment_variables": copyMap(a.env),
		"system_env_json":       map[string]any{"VCAP_SERVICES": s.vcapServices(a.guid)},
		"application_env_json":  map[string]any{"VCAP_APPLICATION": s.vcapApplication(a, nil)},
	})
}

func (s *Sim) appFeature(a *app, name string) (map[string]any, bool) {
	switch name {
	case "revisions":
		return map[string]any{"name": name, "description": "Enable versioning of an application", "enabled": a.revisions}, true
	case "ssh":
		return map[string]any{"name": name, "description": "Enable SSHing into the app.", "enabled": a.ssh}, true
	}
	return nil, false
}

func (s *Sim) listAppFeatures(w http.ResponseWriter, _ *http.Request, a *app) {
	rev, _ := s.appFeature(a, "revisions")
	ssh, _ := s.appFeature(a, "ssh")
	writeJSON(w, http.StatusOK, map[string]any{"resources": []any{rev, ssh},
		"pagination": map[string]any{"total_results": 2, "total_pages": 1, "first": link(s.base, "/v3/apps/"+a.guid+"/features"),
			"last": link(s.base, "/v3/apps/"+a.guid+"/features"), "next": nil, "previous": nil}})
}

func (s *Sim) getAppFeature(w http.ResponseWriter, r *http.Request, a *app) {
	f, ok := s.appFeature(a, r.PathValue("name"))
	if !ok {
		writeError(w, errNotFound("Feature"))
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Sim) patchAppFeature(w http.ResponseWriter, r *http.Request, a *app) {
	var body struct {
		Enabled *bool `json:"enabled"`
	}
	if err := decodeBody(r, &body, "enabled"); err != nil {
		writeError(w, err)
		return
	}
	if body.Enabled == nil {
		writeError(w, errUnprocessable("Enabled must be a boolean"))
		return
	}
	switch r.PathValue("name") {
	case "revisions":
		a.revisions = *body.Enabled
	case "ssh":
		a.ssh = *body.Enabled
	default:
		writeError(w, errNotFound("Feature"))
		return
	}
	f, _ := s.appFeature(a, r.PathValue("name"))
	writeJSON(w, http.StatusOK, f)
}
