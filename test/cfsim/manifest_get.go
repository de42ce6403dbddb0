package cfsim

import (
	"net/http"
	"strconv"

	"gopkg.in/yaml.v3"
)

// getAppManifest generates the app's manifest as CC does: YAML with the app's stack,
// buildpacks, env, routes, metadata and one entry per process type.
func (s *Sim) getAppManifest(w http.ResponseWriter, _ *http.Request, a *app) {
	app := map[string]any{"name": a.name, "stack": a.lifecycle.stack}
	if len(a.lifecycle.buildpacks) > 0 {
		app["buildpacks"] = a.lifecycle.buildpacks
	}
	if a.lifecycle.kind == dockerLifecycle {
		delete(app, "stack")
		if docker := s.manifestDocker(a); docker != nil {
			app["docker"] = docker
		}
	}
	if len(a.env) > 0 {
		app["env"] = copyMap(a.env)
	}
	if names := s.boundServiceNames(a.guid); names != nil {
		app["services"] = names
	}
	if routes := s.manifestRoutes(a); routes != nil {
		app["routes"] = routes
	} else {
		app["no-route"] = true
	}
	if sidecars := s.manifestSidecars(a); sidecars != nil {
		app["sidecars"] = sidecars
	}
	if len(a.meta.labels)+len(a.meta.annotations) > 0 {
		app["metadata"] = map[string]any{"labels": copyMap(a.meta.labels), "annotations": copyMap(a.meta.annotations)}
	}
	if procs := s.manifestProcesses(a); procs != nil {
		app["processes"] = procs
	}
	out, err := yaml.Marshal(map[string]any{"applications": []any{app}})
	if err != nil {
		writeError(w, &ccError{http.StatusInternalServerError, "An unknown error occurred.", "UnknownError", 10001})
		return
	}
	w.Header().Set("Content-Type", "application/x-yaml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// manifestProcesses are the newest process of each type, as CC presents them.
func (s *Sim) manifestProcesses(a *app) []map[string]any {
	var procs []map[string]any
	seen := map[string]bool{}
	all := s.appProcesses(a.guid, "")
	for i := len(all) - 1; i >= 0; i-- {
		if p := all[i]; !seen[p.kind] {
			seen[p.kind] = true
			procs = append([]map[string]any{manifestProcessOf(p)}, procs...)
		}
	}
	return procs
}

func manifestProcessOf(p *process) map[string]any {
	m := map[string]any{"type": p.kind, "instances": p.instances, "memory": strconv.Itoa(p.memoryMB) + "M",
		"disk_quota": strconv.Itoa(p.diskMB) + "M", "log-rate-limit-per-second": "-1",
		"health-check-type": p.health.kind, "readiness-health-check-type": p.readiness.kind}
	if p.command != nil {
		m["command"] = *p.command
	}
	if p.health.kind == "http" {
		m["health-check-http-endpoint"] = p.health.endpoint
	}
	if p.health.timeout != nil {
		m["timeout"] = *p.health.timeout
	}
	if p.health.invocationTimeout != nil {
		m["health-check-invocation-timeout"] = *p.health.invocationTimeout
	}
	if p.readiness.kind == "http" {
		m["readiness-health-check-http-endpoint"] = p.readiness.endpoint
	}
	return m
}
