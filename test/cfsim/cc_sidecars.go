package cfsim

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
)

// sidecar is a process that runs beside an app's processes in their containers. cfsim keeps
// and presents sidecars as CC does but never runs them.
type sidecar struct {
	base
	appGUID      string
	name         string
	command      string
	processTypes []string
	memoryMB     *int
	origin       string
}

func (s *Sim) routeSidecars(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/apps/{guid}/sidecars", s.withApp(s.listAppSidecars))
	mux.HandleFunc("POST /v3/apps/{guid}/sidecars", s.withApp(s.createSidecar))
	mux.HandleFunc("GET /v3/processes/{pguid}/sidecars", s.withProcess(s.listProcessSidecars))
	mux.HandleFunc("GET /v3/sidecars/{guid}", s.withSidecar(s.getSidecar))
	mux.HandleFunc("PATCH /v3/sidecars/{guid}", s.withSidecar(s.updateSidecar))
	mux.HandleFunc("DELETE /v3/sidecars/{guid}", s.withSidecar(s.deleteSidecar))
}

func (s *Sim) withSidecar(h func(http.ResponseWriter, *http.Request, *sidecar)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		sc, ok := s.sidecars[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Sidecar"))
			return
		}
		h(w, r, sc)
	}
}

func (s *Sim) presentSidecar(sc *sidecar) map[string]any {
	var memory any
	if sc.memoryMB != nil {
		memory = *sc.memoryMB
	}
	return map[string]any{"guid": sc.guid, "name": sc.name, "command": sc.command,
		"process_types": sc.processTypes, "memory_in_mb": memory, "origin": sc.origin,
		"relationships": map[string]any{"app": rel(sc.appGUID)},
		"created_at":    timestamp(sc.created), "updated_at": timestamp(sc.updated)}
}

// appSidecars lists an app's sidecars of one process type ("" = all), in creation order.
func (s *Sim) appSidecars(appGUID, kind string) []*sidecar {
	var out []*sidecar
	for _, sc := range sorted(s.sidecars, func(sc *sidecar) int64 { return sc.seq }) {
		if sc.appGUID == appGUID && (kind == "" || slices.Contains(sc.processTypes, kind)) {
			out = append(out, sc)
		}
	}
	return out
}

func (s *Sim) writeSidecars(w http.ResponseWriter, r *http.Request, list []*sidecar) {
	items := []any{}
	for _, sc := range list {
		items = append(items, s.presentSidecar(sc))
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) listAppSidecars(w http.ResponseWriter, r *http.Request, a *app) {
	s.writeSidecars(w, r, s.appSidecars(a.guid, ""))
}

func (s *Sim) listProcessSidecars(w http.ResponseWriter, r *http.Request, p *process) {
	s.writeSidecars(w, r, s.appSidecars(p.appGUID, p.kind))
}

func (s *Sim) getSidecar(w http.ResponseWriter, _ *http.Request, sc *sidecar) {
	writeJSON(w, http.StatusOK, s.presentSidecar(sc))
}

func (s *Sim) createSidecar(w http.ResponseWriter, r *http.Request, a *app) {
	spec, err := readSidecar(r, true)
	if err != nil {
		writeError(w, err)
		return
	}
	sc, err := s.newSidecar(a, spec)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.presentSidecar(sc))
}

func (s *Sim) updateSidecar(w http.ResponseWriter, r *http.Request, sc *sidecar) {
	spec, err := readSidecar(r, false)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.changeSidecar(sc, spec); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.presentSidecar(sc))
}

func (s *Sim) deleteSidecar(w http.ResponseWriter, _ *http.Request, sc *sidecar) {
	delete(s.sidecars, sc.guid)
	w.WriteHeader(http.StatusNoContent)
}

// newSidecar stores a sidecar after CC's memory and uniqueness checks. Callers hold s.mu.
func (s *Sim) newSidecar(a *app, spec sidecarSpec) (*sidecar, *ccError) {
	if spec.memoryGiven {
		if err := s.sidecarMemoryFits(a.guid, spec.processTypes, spec.memoryMB, ""); err != nil {
			return nil, err
		}
	}
	for _, other := range s.appSidecars(a.guid, "") {
		if other.name == *spec.name {
			return nil, errUnprocessable(fmt.Sprintf("Sidecar with name '%s' already exists for given app", *spec.name))
		}
	}
	sc := &sidecar{base: s.nextBase(), appGUID: a.guid, name: *spec.name, command: *spec.command,
		processTypes: spec.processTypes, memoryMB: spec.memoryMB, origin: "user"}
	if s.sidecars == nil {
		s.sidecars = map[string]*sidecar{}
	}
	s.sidecars[sc.guid] = sc
	return sc, nil
}

// changeSidecar applies an update. Callers hold s.mu.
func (s *Sim) changeSidecar(sc *sidecar, spec sidecarSpec) *ccError {
	if spec.memoryGiven || spec.processTypes != nil {
		types, memory := sc.processTypes, sc.memoryMB
		if spec.processTypes != nil {
			types = spec.processTypes
		}
		if spec.memoryGiven {
			memory = spec.memoryMB
		}
		if err := s.sidecarMemoryFits(sc.appGUID, types, memory, sc.name); err != nil {
			return err
		}
	}
	if spec.name != nil {
		for _, other := range s.appSidecars(sc.appGUID, "") {
			if other != sc && other.name == *spec.name {
				return errUnprocessable(fmt.Sprintf("Sidecar with name '%s' already exists for given app", *spec.name))
			}
		}
		sc.name = *spec.name
	}
	if spec.command != nil {
		sc.command = *spec.command
	}
	if spec.processTypes != nil {
		sc.processTypes = spec.processTypes
	}
	if spec.memoryGiven {
		sc.memoryMB = spec.memoryMB
	}
	sc.updated = time.Now()
	return nil
}

// sidecarMemoryFits: the sidecars of each process they join must leave it some memory.
func (s *Sim) sidecarMemoryFits(appGUID string, types []string, memoryMB *int, replacing string) *ccError {
	extra := 0
	if memoryMB != nil {
		extra = *memoryMB
	}
	for _, kind := range types {
		for _, p := range s.appProcesses(appGUID, kind) {
			total := extra
			for _, other := range s.appSidecars(appGUID, kind) {
				if other.memoryMB != nil && other.name != replacing {
					total += *other.memoryMB
				}
			}
			if total >= p.memoryMB {
				return errUnprocessable(fmt.Sprintf("The memory allocation defined is too large to run with the dependent \"%s\" process", p.kind))
			}
		}
	}
	return nil
}

// deleteAppSidecars removes an app's sidecars with the app. Callers hold s.mu.
func (s *Sim) deleteAppSidecars(appGUID string) {
	for guid, sc := range s.sidecars {
		if sc.appGUID == appGUID {
			delete(s.sidecars, guid)
		}
	}
}

// manifestSidecars is the sidecars part of the app's generated manifest, sorted by name
// (nil when there are none).
func (s *Sim) manifestSidecars(a *app) []map[string]any {
	var out []map[string]any
	for _, sc := range s.appSidecars(a.guid, "") {
		m := map[string]any{"name": sc.name, "process_types": sc.processTypes, "command": sc.command}
		if sc.memoryMB != nil {
			m["memory"] = strconv.Itoa(*sc.memoryMB) + "M"
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["name"].(string) < out[j]["name"].(string) })
	return out
}
