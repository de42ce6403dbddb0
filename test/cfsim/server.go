package cfsim

import (
	"net/http"
	"strings"
)

// handler wires every endpoint. Request log outermost, then faults, then CC's token check.
func (s *Sim) handler() http.Handler {
	api := http.NewServeMux()
	s.routeDiscovery(api)
	s.routeOrgs(api)
	s.routeApps(api)
	s.routeBits(api)
	s.routeProcesses(api)
	s.routeRoutes(api)
	s.routeDomains(api)
	s.routeSidecars(api)
	s.routeAuditEvents(api)
	s.routeStacks(api)
	s.routeFeatureFlags(api)
	s.routeIsolationSegments(api)
	s.routeDeployments(api)
	s.routeTasks(api)
	s.routeServices(api)
	api.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, errUnknownRequest()) })

	cc := s.reqs.middleware(s.faults.middleware(s.authenticate(api)))
	top := http.NewServeMux()
	top.Handle("/sim/", s.adminHandler())
	top.Handle("/networking/", s.reqs.middleware(s.faults.middleware(s.networkingHandler())))
	top.Handle("/", cc)
	return top
}

// public paths need no token, as on a real foundation.
func public(path string) bool {
	switch path {
	case "/", "/v3", "/v3/", "/v3/info", "/v2/info", "/oauth/token", "/login":
		return true
	}
	return strings.HasPrefix(path, "/blobstore/")
}

// authenticate answers 401 NotAuthenticated without a token and 401 InvalidAuthToken for a
// bad or expired one (docs/platform/cloud-controller.md#authentication-and-authorization-errors).
func (s *Sim) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		auth := r.Header.Get("Authorization")
		if auth == "" {
			writeError(w, errNotAuthenticated())
			return
		}
		scheme, token, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "bearer") || !s.uaa.valid(token) {
			writeError(w, errInvalidToken())
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Sim) routeDiscovery(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.getRoot)
	mux.HandleFunc("GET /v3", s.getV3)
	mux.HandleFunc("GET /v3/{$}", s.getV3)
	mux.HandleFunc("GET /v3/info", s.getInfo)
	mux.HandleFunc("GET /v2/info", s.getV2Info)
	mux.HandleFunc("POST /oauth/token", s.uaa.handleToken)
	mux.HandleFunc("GET /login", s.uaa.handleLoginInfo)
	mux.HandleFunc("GET /v3/jobs/{guid}", s.getJob)
	mux.HandleFunc("GET /blobstore/{kind}/{guid}", s.getBlob)
}

// ccVersion is the CC API version the simulator claims (docs/platform/README.md#sources).
const ccVersion = "3.228.0"

func (s *Sim) getRoot(w http.ResponseWriter, _ *http.Request) {
	b := s.base
	writeJSON(w, http.StatusOK, map[string]any{"links": map[string]any{
		"self":                link(b, ""),
		"cloud_controller_v3": map[string]any{"href": b + "/v3", "meta": map[string]string{"version": ccVersion}},
		"network_policy_v0":   link(b, "/networking/v0/external"),
		"network_policy_v1":   link(b, "/networking/v1/external"),
		"login":               link(b, ""),
		"uaa":                 link(b, ""),
		"credhub":             nil,
		"routing":             link(b, "/routing"),
		"logging":             map[string]string{"href": "ws://" + strings.TrimPrefix(b, "http://")},
		"log_cache":           map[string]string{"href": s.lcURL},
		"log_stream":          link(b, ""),
		"app_ssh":             nil,
	}})
}

func (s *Sim) getV3(w http.ResponseWriter, _ *http.Request) {
	links := map[string]any{"self": link(s.base, "/v3")}
	for _, r := range []string{"apps", "audit_events", "buildpacks", "builds", "deployments", "domains", "droplets",
		"feature_flags", "jobs", "organizations", "packages", "processes", "revisions", "routes",
		"service_route_bindings", "sidecars", "spaces", "stacks", "tasks"} {
		links[r] = link(s.base, "/v3/"+r)
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": links})
}

func (s *Sim) getInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "cfsim", "build": "cfsim", "version": 0, "description": "simulated Cloud Foundry",
		"osbapi_version": "2.15", "cli_version": map[string]any{"minimum": "", "recommended": ""},
		"custom": map[string]any{}, "links": map[string]any{"self": link(s.base, "/v3/info")},
	})
}

func (s *Sim) getV2Info(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "cfsim", "build": "cfsim", "support": "CF API v2 is disabled", "version": 0,
		"description": "simulated Cloud Foundry", "authorization_endpoint": s.base,
		"token_endpoint": s.base, "api_version": "", "osbapi_version": "2.15",
	})
}
