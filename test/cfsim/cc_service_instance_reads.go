package cfsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The sub-resources of a service instance: credentials, parameters, permissions and sharing.

func (s *Sim) getInstancePermissions(w http.ResponseWriter, _ *http.Request, _ *serviceInstance) {
	writeJSON(w, http.StatusOK, map[string]bool{"manage": true, "read": true})
}

// getInstanceCredentials answers the bare credentials object of a user-provided instance;
// for a managed one CC looks only among user-provided instances, hence 404.
func (s *Sim) getInstanceCredentials(w http.ResponseWriter, _ *http.Request, si *serviceInstance) {
	if si.managed() {
		writeError(w, errNotFound("Service instance"))
		return
	}
	writeRawObject(w, si.credentials)
}

func (s *Sim) getInstanceParameters(w http.ResponseWriter, _ *http.Request, si *serviceInstance) {
	if !si.managed() {
		writeError(w, &ccError{http.StatusBadRequest, "This service does not support fetching service instance parameters.",
			"CF-ServiceFetchInstanceParametersNotSupported", 120004})
		return
	}
	if si.lastOp.is("create", "failed") {
		writeError(w, errNotFound("Service instance"))
		return
	}
	writeRawObject(w, si.parameters)
}

// writeRawObject answers a stored JSON object as it was given, {} when there is none.
func writeRawObject(w http.ResponseWriter, raw json.RawMessage) {
	if v := strings.TrimSpace(string(raw)); v == "" || v == "null" {
		raw = json.RawMessage("{}")
	}
	writeJSON(w, http.StatusOK, raw)
}

// getSharedSpaces: sharing is not simulated, so no instance is shared into another space.
func (s *Sim) getSharedSpaces(w http.ResponseWriter, r *http.Request, si *serviceInstance) {
	body := map[string]any{"data": []any{},
		"links": map[string]any{"self": link(s.base, "/v3/service_instances/"+si.guid+"/relationships/shared_spaces")}}
	q := r.URL.Query()
	if q.Get("fields[space]") != "" || q.Get("fields[space.organization]") != "" {
		body["included"] = map[string]any{"spaces": []any{}, "organizations": []any{}}
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Sim) getSharedUsage(w http.ResponseWriter, _ *http.Request, si *serviceInstance) {
	p := "/v3/service_instances/" + si.guid
	writeJSON(w, http.StatusOK, map[string]any{"usage_summary": []any{}, "links": map[string]any{
		"self": link(s.base, p+"/relationships/shared_spaces/usage_summary"), "shared_spaces": link(s.base, p+"/relationships/shared_spaces"),
		"service_instance": link(s.base, p)}})
}
