package cfsim

import (
	"crypto/sha1"
	"fmt"
	"net/http"
	"time"
)

// The foundation's one stack and one buildpack: cfsim stages every app the way the binary
// buildpack does, on cflinuxfs4.
const (
	defaultStack     = "cflinuxfs4"
	defaultBuildpack = "binary_buildpack"
)

func (s *Sim) routeStacks(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/stacks", s.listStacks)
	mux.HandleFunc("GET /v3/stacks/{guid}", s.getStack)
	mux.HandleFunc("GET /v3/buildpacks", s.listBuildpacks)
	mux.HandleFunc("GET /v3/buildpacks/{guid}", s.getBuildpack)
}

// fixedGUID gives seeded records a guid that stays the same for the simulator's life.
func (s *Sim) fixedGUID(name string) string {
	h := sha1.Sum([]byte(s.base + "/" + name))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func (s *Sim) presentStack() map[string]any {
	guid, born := s.fixedGUID("stack/"+defaultStack), timestamp(s.bornAt())
	return map[string]any{"guid": guid, "created_at": born, "updated_at": born, "name": defaultStack,
		"description": "Cloud Foundry Linux-based filesystem (Ubuntu 22.04)", "state": "ACTIVE", "state_reason": nil,
		"run_rootfs_image": defaultStack, "build_rootfs_image": defaultStack, "default": true,
		"metadata": newMetadata().present(), "links": map[string]any{"self": link(s.base, "/v3/stacks/"+guid)}}
}

func (s *Sim) listStacks(w http.ResponseWriter, r *http.Request) {
	items := []any{}
	if matches(listFilter(r.URL.Query(), "names"), defaultStack) {
		items = append(items, s.presentStack())
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getStack(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("guid") != s.fixedGUID("stack/"+defaultStack) {
		writeError(w, errNotFound("Stack"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentStack())
}

func (s *Sim) presentBuildpack() map[string]any {
	guid, born := s.fixedGUID("buildpack/"+defaultBuildpack), timestamp(s.bornAt())
	return map[string]any{"guid": guid, "created_at": born, "updated_at": born, "name": defaultBuildpack,
		"stack": defaultStack, "state": "READY", "lifecycle": "buildpack",
		"filename": defaultBuildpack + "-cflinuxfs4-v1.1.0.zip", "position": 1, "enabled": true, "locked": false,
		"metadata": newMetadata().present(),
		"links": map[string]any{"self": link(s.base, "/v3/buildpacks/"+guid),
			"upload": linkMethod(s.base, "/v3/buildpacks/"+guid+"/upload", "POST")}}
}

func (s *Sim) listBuildpacks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	items := []any{}
	if matches(listFilter(q, "names"), defaultBuildpack) && matches(listFilter(q, "stacks"), defaultStack) &&
		matches(listFilter(q, "lifecycle"), "buildpack") {
		items = append(items, s.presentBuildpack())
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getBuildpack(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("guid") != s.fixedGUID("buildpack/"+defaultBuildpack) {
		writeError(w, errNotFound("Buildpack"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentBuildpack())
}

// bornAt is when the foundation was seeded: the creation time of the things it ships with.
func (s *Sim) bornAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sorted(s.orgs, func(o *org) int64 { return o.seq })[0].created
}
