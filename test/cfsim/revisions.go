package cfsim

import (
	"fmt"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Sim) routeRevisions(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/apps/{guid}/revisions", s.withApp(s.listAppRevisions))
	mux.HandleFunc("GET /v3/apps/{guid}/revisions/deployed", s.withApp(s.listDeployedRevisions))
	mux.HandleFunc("GET /v3/revisions/{guid}", s.withRevision(s.getRevision))
	mux.HandleFunc("PATCH /v3/revisions/{guid}", s.withRevision(s.updateRevision))
	mux.HandleFunc("GET /v3/revisions/{guid}/environment_variables", s.withRevision(s.getRevisionEnv))
}

func (s *Sim) withRevision(h func(http.ResponseWriter, *http.Request, *revision)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		rv, ok := s.revisions[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Revision"))
			return
		}
		h(w, r, rv)
	}
}

func (s *Sim) latestRevision(appGUID string) *revision {
	var latest *revision
	for _, rv := range s.revisions {
		if rv.appGUID == appGUID && (latest == nil || rv.seq > latest.seq) {
			latest = rv
		}
	}
	return latest
}

// appCommands is each process type's custom command (nil = the droplet's).
func (s *Sim) appCommands(appGUID string) map[string]*string {
	cmds := map[string]*string{}
	for _, p := range s.appProcesses(appGUID, "") {
		cmds[p.kind] = p.command
	}
	return cmds
}

// resolveRevision returns the revision for the app's code and configuration now, creating
// one only when something changed since the latest
// (docs/platform/deployments.md#revisions-and-rollback). nil when the app
// has revisions disabled. Callers hold s.mu.
func (s *Sim) resolveRevision(a *app, dropletGUID, extra string) *revision {
	if !a.revisions {
		return nil
	}
	cmds, latest := s.appCommands(a.guid), s.latestRevision(a.guid)
	reasons := []string{"Initial revision."}
	if latest != nil {
		reasons = revisionChanges(latest, dropletGUID, a.env, cmds)
	}
	if len(reasons) == 0 && extra == "" {
		return latest
	}
	if extra != "" {
		reasons = append(reasons, extra)
	}
	version := 1
	if latest != nil && latest.version < 9999 {
		version = latest.version + 1
	}
	rv := &revision{base: s.nextBase(), appGUID: a.guid, version: version, dropletGUID: dropletGUID,
		env: copyMap(a.env), commands: cmds, description: strings.Join(reasons, " "), meta: newMetadata()}
	s.revisions[rv.guid] = rv
	return rv
}

func revisionChanges(latest *revision, dropletGUID string, env map[string]string, cmds map[string]*string) []string {
	var reasons []string
	if latest.dropletGUID != dropletGUID {
		reasons = append(reasons, "New droplet deployed.")
	}
	if !maps.Equal(latest.env, env) {
		reasons = append(reasons, "New environment variables deployed.")
	}
	for kind, cmd := range cmds {
		old, had := latest.commands[kind]
		switch {
		case !had:
			reasons = append(reasons, fmt.Sprintf("New process type '%s' added.", kind))
		case old == nil && cmd != nil:
			reasons = append(reasons, fmt.Sprintf("Custom start command added for '%s' process.", kind))
		case old != nil && cmd == nil:
			reasons = append(reasons, fmt.Sprintf("Custom start command removed for '%s' process.", kind))
		case old != nil && *old != *cmd:
			reasons = append(reasons, fmt.Sprintf("Custom start command updated for '%s' process.", kind))
		}
	}
	for kind := range latest.commands {
		if _, ok := cmds[kind]; !ok {
			reasons = append(reasons, fmt.Sprintf("Process type '%s' removed.", kind))
		}
	}
	sort.Strings(reasons)
	return reasons
}

func (s *Sim) presentRevision(rv *revision) map[string]any {
	path := "/v3/revisions/" + rv.guid
	procs := map[string]any{}
	for kind, cmd := range rv.commands {
		c := any(nil)
		if cmd != nil {
			c = *cmd
		} else if d := s.droplets[rv.dropletGUID]; d != nil {
			c = d.processTypes[kind]
		}
		procs[kind] = map[string]any{"command": c}
	}
	d := s.droplets[rv.dropletGUID]
	return map[string]any{
		"guid": rv.guid, "version": rv.version, "droplet": map[string]string{"guid": rv.dropletGUID},
		"processes": procs, "sidecars": []any{}, "description": rv.description,
		"deployable":    d != nil && d.state == "STAGED",
		"relationships": map[string]any{"app": rel(rv.appGUID)},
		"created_at":    timestamp(rv.created), "updated_at": timestamp(rv.updated), "metadata": rv.meta.present(),
		"links": map[string]any{"self": link(s.base, path), "app": link(s.base, "/v3/apps/"+rv.appGUID),
			"environment_variables": link(s.base, path+"/environment_variables")},
	}
}

func (s *Sim) revisionsWhere(r *http.Request, keep func(*revision) bool) []any {
	versions := listFilter(r.URL.Query(), "versions")
	var items []any
	for _, rv := range sorted(s.revisions, func(rv *revision) int64 { return rv.seq }) {
		if keep(rv) && matches(versions, strconv.Itoa(rv.version)) {
			items = append(items, s.presentRevision(rv))
		}
	}
	return items
}

func (s *Sim) listAppRevisions(w http.ResponseWriter, r *http.Request, a *app) {
	writeList(w, r, s.base, s.revisionsWhere(r, func(rv *revision) bool { return rv.appGUID == a.guid }))
}

// listDeployedRevisions lists the revisions that started processes run.
func (s *Sim) listDeployedRevisions(w http.ResponseWriter, r *http.Request, a *app) {
	deployed := map[string]bool{}
	for _, p := range s.appProcesses(a.guid, "") {
		if s.shouldRun(p) && p.revisionGUID != "" {
			deployed[p.revisionGUID] = true
		}
	}
	writeList(w, r, s.base, s.revisionsWhere(r, func(rv *revision) bool { return deployed[rv.guid] }))
}

func (s *Sim) getRevision(w http.ResponseWriter, _ *http.Request, rv *revision) {
	writeJSON(w, http.StatusOK, s.presentRevision(rv))
}

func (s *Sim) updateRevision(w http.ResponseWriter, r *http.Request, rv *revision) {
	var body struct {
		Metadata *metadataPatch `json:"metadata"`
	}
	if err := decodeBody(r, &body, "metadata"); err != nil {
		writeError(w, err)
		return
	}
	rv.meta.apply(body.Metadata)
	rv.updated = time.Now()
	writeJSON(w, http.StatusOK, s.presentRevision(rv))
}

func (s *Sim) getRevisionEnv(w http.ResponseWriter, _ *http.Request, rv *revision) {
	path := "/v3/revisions/" + rv.guid
	writeJSON(w, http.StatusOK, map[string]any{"var": copyMap(rv.env),
		"links": map[string]any{"self": link(s.base, path+"/environment_variables"), "revision": link(s.base, path),
			"app": link(s.base, "/v3/apps/"+rv.appGUID)}})
}
