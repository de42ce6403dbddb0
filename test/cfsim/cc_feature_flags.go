package cfsim

import (
	"net/http"
	"sort"
	"time"
)

// featureFlag is one of CC's feature flags; updated is zero until someone sets it.
type featureFlag struct {
	enabled bool
	message string // custom_error_message
	updated time.Time
}

// defaultFeatureFlags are CC's defaults, except diego_docker, which the simulator turns on
// (a foundation that runs docker apps has it on; CC's own default is off).
var defaultFeatureFlags = map[string]bool{
	"user_org_creation": false, "private_domain_creation": true, "app_bits_upload": true,
	"app_scaling": true, "route_creation": true, "service_instance_creation": true,
	"diego_docker": true, "diego_cnb": false, "set_roles_by_username": true,
	"unset_roles_by_username": true, "task_creation": true, "env_var_visibility": true,
	"space_scoped_private_broker_creation": true, "space_developer_env_var_visibility": true,
	"service_instance_sharing": false, "hide_marketplace_from_unauthenticated_users": false,
	"resource_matching": true, "route_sharing": false, "hash_based_routing": false,
}

func (s *Sim) routeFeatureFlags(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/feature_flags", s.listFeatureFlags)
	mux.HandleFunc("GET /v3/feature_flags/{name}", s.withFeatureFlag(s.getFeatureFlag))
	mux.HandleFunc("PATCH /v3/feature_flags/{name}", s.withFeatureFlag(s.updateFeatureFlag))
}

// featureFlags returns the flags, made from the defaults on first use. Callers hold s.mu.
func (s *Sim) featureFlags() map[string]*featureFlag {
	if s.flags == nil {
		s.flags = map[string]*featureFlag{}
		for name, on := range defaultFeatureFlags {
			s.flags[name] = &featureFlag{enabled: on}
		}
	}
	return s.flags
}

// featureDisabled is CC's 403 for a disabled flag, with the flag's custom message if it has
// one. Callers hold s.mu.
func (s *Sim) featureDisabled(name string) *ccError {
	f := s.featureFlags()[name]
	if f == nil || f.enabled {
		return nil
	}
	detail := name
	if f.message != "" {
		detail = f.message
	}
	return &ccError{http.StatusForbidden, "Feature Disabled: " + detail, "CF-FeatureDisabled", 330002}
}

func (s *Sim) presentFeatureFlag(name string, f *featureFlag) map[string]any {
	var updated, message any
	if !f.updated.IsZero() {
		updated = timestamp(f.updated)
	}
	if f.message != "" {
		message = f.message
	}
	return map[string]any{"name": name, "enabled": f.enabled, "updated_at": updated,
		"custom_error_message": message, "links": map[string]any{"self": link(s.base, "/v3/feature_flags/"+name)}}
}

// listFeatureFlags lists every flag ordered by name.
func (s *Sim) listFeatureFlags(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.featureFlags()))
	for name := range s.featureFlags() {
		names = append(names, name)
	}
	sort.Strings(names)
	items := make([]any, len(names))
	for i, name := range names {
		items[i] = s.presentFeatureFlag(name, s.flags[name])
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) withFeatureFlag(h func(http.ResponseWriter, *http.Request, string, *featureFlag)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		name := r.PathValue("name")
		f := s.featureFlags()[name]
		if f == nil {
			writeError(w, errNotFound("Feature flag"))
			return
		}
		h(w, r, name, f)
	}
}

func (s *Sim) getFeatureFlag(w http.ResponseWriter, _ *http.Request, name string, f *featureFlag) {
	writeJSON(w, http.StatusOK, s.presentFeatureFlag(name, f))
}

// updateFeatureFlag is PATCH {enabled, custom_error_message}; every token may do it (no roles).
func (s *Sim) updateFeatureFlag(w http.ResponseWriter, r *http.Request, name string, f *featureFlag) {
	var body struct {
		Enabled *bool   `json:"enabled"`
		Message *string `json:"custom_error_message"`
	}
	if err := decodeBody(r, &body, "enabled", "custom_error_message"); err != nil {
		writeError(w, err)
		return
	}
	if body.Enabled != nil {
		f.enabled = *body.Enabled
	}
	if body.Message != nil {
		f.message = *body.Message
	}
	f.updated = time.Now()
	writeJSON(w, http.StatusOK, s.presentFeatureFlag(name, f))
}
