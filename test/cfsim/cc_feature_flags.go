package cfsim

import (
	"net/http"
	"time"
)

// featureFlag is one of CC's feature flags. cfsim's flags are fixed: CC's defaults, except
// diego_docker, which operators of a foundation that runs Docker images turn on.
type featureFlag struct {
	name    string
	enabled bool
	set     bool // turned on by the operator: it has an updated_at
}

// featureFlags lists CC's flags in CC's order.
var featureFlags = []featureFlag{
	{"user_org_creation", false, false}, {"private_domain_creation", true, false}, {"app_bits_upload", true, false},
	{"app_scaling", true, false}, {"route_creation", true, false}, {"service_instance_creation", true, false},
	{"diego_docker", true, true}, {"diego_cnb", false, false}, {"set_roles_by_username", true, false},
	{"unset_roles_by_username", true, false}, {"task_creation", true, false}, {"env_var_visibility", true, false},
	{"space_scoped_private_broker_creation", true, false}, {"space_developer_env_var_visibility", true, false},
	{"service_instance_sharing", false, false}, {"hide_marketplace_from_unauthenticated_users", false, false},
	{"resource_matching", true, false}, {"route_sharing", false, false}, {"hash_based_routing", false, false},
}

func (s *Sim) routeFeatureFlags(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/feature_flags", s.listFeatureFlags)
	mux.HandleFunc("GET /v3/feature_flags/{name}", s.getFeatureFlag)
}

func (s *Sim) presentFeatureFlag(f featureFlag) map[string]any {
	var updated any
	if f.set {
		updated = timestamp(s.bornAt())
	}
	return map[string]any{"name": f.name, "enabled": f.enabled, "updated_at": updated, "custom_error_message": nil,
		"links": map[string]any{"self": link(s.base, "/v3/feature_flags/"+f.name)}}
}

func (s *Sim) listFeatureFlags(w http.ResponseWriter, r *http.Request) {
	items := []any{}
	for _, f := range featureFlags {
		items = append(items, s.presentFeatureFlag(f))
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getFeatureFlag(w http.ResponseWriter, r *http.Request) {
	for _, f := range featureFlags {
		if f.name == r.PathValue("name") {
			writeJSON(w, http.StatusOK, s.presentFeatureFlag(f))
			return
		}
	}
	writeError(w, errNotFound("Feature flag"))
}

// bornAt is when the foundation was seeded: the creation time of the things it ships with.
func (s *Sim) bornAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sorted(s.orgs, func(o *org) int64 { return o.seq })[0].created
}
