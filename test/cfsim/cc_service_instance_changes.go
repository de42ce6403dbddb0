package cfsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Creating a managed instance, updating and deleting instances of both kinds.

func errInvalidPlan() *ccError {
	return errUnprocessable("Invalid service plan. Ensure that the service plan exists, is available, and you have access to it.")
}

func errInstanceInProgress() *ccError {
	return errUnprocessable("There is an operation in progress for the service instance.")
}

// createManaged stores the instance (last operation create/initial) and starts the provision
// job. A failed instance of the same name is replaced, as CC's precursor does. Callers hold s.mu.
func (s *Sim) createManaged(b instanceBody, sp *space) (*job, *ccError) {
	p := s.svc.plans[b.Relationships.ServicePlan.guid()]
	if p == nil {
		return nil, errInvalidPlan()
	}
	if old := s.instanceNamed(sp.guid, *b.Name); old != nil {
		if !old.lastOp.is("create", "failed") {
			return nil, errNameTaken(*b.Name)
		}
		s.removeInstance(old)
	}
	si := &serviceInstance{base: s.nextBase(), name: *b.Name, spaceGUID: sp.guid, planGUID: p.guid, tags: b.Tags,
		parameters: b.Parameters, lastOp: newOperation("create", "initial", nil), meta: newMetadata()}
	si.meta.apply(b.Metadata)
	s.svc.instances[si.guid] = si
	return s.runInstanceOperation(si, "create", nil, nil), nil
}

type instanceUpdateBody struct {
	Name            *string         `json:"name"`
	Tags            []string        `json:"tags"`
	Credentials     json.RawMessage `json:"credentials"`
	SyslogDrainURL  *string         `json:"syslog_drain_url"`
	RouteServiceURL *string         `json:"route_service_url"`
	Parameters      json.RawMessage `json:"parameters"`
	MaintenanceInfo json.RawMessage `json:"maintenance_info"`
	Metadata        *metadataPatch  `json:"metadata"`
	Relationships   *struct {
		ServicePlan *relBody `json:"service_plan"`
	} `json:"relationships"`
}

func (s *Sim) updateServiceInstance(w http.ResponseWriter, r *http.Request, si *serviceInstance) {
	var b instanceUpdateBody
	keys, cerr := decodeBodyKeys(r, &b)
	allowed := []string{"name", "tags", "credentials", "syslog_drain_url", "route_service_url", "metadata"}
	if si.managed() {
		allowed = []string{"name", "tags", "parameters", "relationships", "maintenance_info", "metadata"}
	}
	if cerr == nil {
		if unknown := unknownKeys(keys, allowed); len(unknown) > 0 {
			cerr = errUnprocessable("Unknown field(s): '" + strings.Join(unknown, "', '") + "'")
		}
	}
	if cerr == nil {
		cerr = validateUserProvidedFields(b.Credentials, b.RouteServiceURL, b.Parameters)
	}
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	if si.managed() {
		s.updateManaged(w, b, keys, si)
		return
	}
	if other := s.instanceNamed(si.spaceGUID, deref(b.Name)); b.Name != nil && other != nil && other != si {
		writeError(w, errNameTaken(*b.Name))
		return
	}
	s.updateUserProvided(b, keys, si)
	writeJSON(w, http.StatusOK, s.presentServiceInstance(si))
}

// updateUserProvided applies the requested keys (null clears); new credentials or syslog
// drain are copied into every binding at once, as CC rewrites them.
func (s *Sim) updateUserProvided(b instanceUpdateBody, keys map[string]json.RawMessage, si *serviceInstance) {
	has := func(k string) bool { _, ok := keys[k]; return ok }
	if b.Name != nil {
		si.name = *b.Name
	}
	if has("tags") {
		si.tags = b.Tags
	}
	if has("credentials") {
		si.credentials = b.Credentials
	}
	if has("syslog_drain_url") {
		si.syslogDrainURL = b.SyslogDrainURL
	}
	if has("route_service_url") {
		si.routeURL = b.RouteServiceURL
	}
	si.meta.apply(b.Metadata)
	si.lastOp = newOperation("update", "succeeded", strPtr("Operation succeeded"))
	si.touch()
	for _, sb := range s.svc.bindings {
		if sb.instanceGUID == si.guid && has("credentials") {
			sb.credentials = si.credentials
		}
		if sb.instanceGUID == si.guid && has("syslog_drain_url") {
			sb.syslogDrainURL = si.syslogDrainURL
		}
	}
}

// updateManaged: a new plan, parameters or maintenance info go through the broker (202 and
// a job); name, tags and metadata change at once (200).
func (s *Sim) updateManaged(w http.ResponseWriter, b instanceUpdateBody, keys map[string]json.RawMessage, si *serviceInstance) {
	if cerr := s.checkManagedUpdate(b, si); cerr != nil {
		writeError(w, cerr)
		return
	}
	_, params := keys["parameters"]
	newPlan := ""
	if b.Relationships != nil && b.Relationships.ServicePlan.guid() != si.planGUID {
		newPlan = b.Relationships.ServicePlan.guid()
	}
	metadataOnly := len(keys) == 1 && keys["metadata"] != nil
	if !metadataOnly && si.lastOp.inProgress() {
		writeError(w, &ccError{http.StatusConflict, "An operation for service instance " + si.name + " is in progress.",
			"CF-AsyncServiceInstanceOperationInProgress", 60016})
		return
	}
	_, hasTags := keys["tags"]
	apply := func() {
		if b.Name != nil {
			si.name = *b.Name
		}
		if hasTags {
			si.tags = b.Tags
		}
		if newPlan != "" {
			si.planGUID = newPlan
		}
		if params {
			si.parameters = b.Parameters
		}
		si.meta.apply(b.Metadata)
		si.touch()
	}
	if !params && newPlan == "" && keys["maintenance_info"] == nil {
		apply()
		if !metadataOnly {
			si.lastOp = newOperation("update", "succeeded", strPtr(""))
		}
		writeJSON(w, http.StatusOK, s.presentServiceInstance(si))
		return
	}
	si.lastOp = newOperation("update", "in progress", nil)
	writeAccepted(w, s.jobURL(s.runInstanceOperation(si, "update", nil, apply)))
}

func (s *Sim) checkManagedUpdate(b instanceUpdateBody, si *serviceInstance) *ccError {
	if si.lastOp.is("create", "failed") {
		return &ccError{http.StatusNotFound, "The service instance could not be found: " + si.name, "CF-ServiceInstanceNotFound", 60004}
	}
	if other := s.instanceNamed(si.spaceGUID, deref(b.Name)); b.Name != nil && other != nil && other != si {
		return errUnprocessable("The service instance name is taken: " + *b.Name)
	}
	if b.Relationships == nil {
		return nil
	}
	p := s.svc.plans[b.Relationships.ServicePlan.guid()]
	if p == nil {
		return errInvalidPlan()
	}
	if p.offeringGUID != s.planOf(si).offeringGUID {
		return &ccError{http.StatusBadRequest, "service plan relates to a different service offering", "CF-InvalidRelation", 1002}
	}
	return nil
}

// deleteServiceInstance: user-provided at once (204), managed through the broker (202 and a
// job); ?purge=true forgets either at once. Bindings and keys go with the instance.
func (s *Sim) deleteServiceInstance(w http.ResponseWriter, r *http.Request, si *serviceInstance) {
	if r.URL.Query().Get("purge") == "true" || !si.managed() {
		if si.lastOp.inProgress() && r.URL.Query().Get("purge") != "true" {
			writeError(w, errInstanceInProgress())
			return
		}
		s.removeInstance(si)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if si.lastOp.inProgress() {
		writeError(w, errInstanceInProgress())
		return
	}
	j := s.runInstanceOperation(si, "delete", func() { s.removeBindingsOf(si) }, func() { s.removeInstance(si) })
	writeAccepted(w, s.jobURL(j))
}

// removeInstance forgets an instance and its bindings and keys. Callers hold s.mu.
func (s *Sim) removeInstance(si *serviceInstance) {
	s.removeBindingsOf(si)
	delete(s.svc.instances, si.guid)
	s.changed()
}

func (s *Sim) removeBindingsOf(si *serviceInstance) {
	for g, sb := range s.svc.bindings {
		if sb.instanceGUID == si.guid {
			delete(s.svc.bindings, g)
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
