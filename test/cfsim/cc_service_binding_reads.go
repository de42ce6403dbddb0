package cfsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Reading, updating and deleting credential bindings.

func (s *Sim) presentBinding(sb *serviceBinding) map[string]any {
	p := "/v3/service_credential_bindings/" + sb.guid
	links := map[string]any{"self": link(s.base, p), "details": link(s.base, p+"/details"),
		"service_instance": link(s.base, "/v3/service_instances/"+sb.instanceGUID)}
	rels := map[string]any{"service_instance": rel(sb.instanceGUID)}
	if si := s.svc.instances[sb.instanceGUID]; si != nil && si.managed() {
		links["parameters"] = link(s.base, p+"/parameters")
	}
	if sb.appGUID != "" {
		links["app"] = link(s.base, "/v3/apps/"+sb.appGUID)
		rels["app"] = rel(sb.appGUID)
	}
	return map[string]any{
		"guid": sb.guid, "created_at": timestamp(sb.created), "updated_at": timestamp(sb.updated),
		"name": sb.name, "type": sb.kind, "last_operation": presentOperation(sb.lastOp),
		"metadata": sb.meta.present(), "relationships": rels, "links": links,
	}
}

func (s *Sim) listBindings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if t := q.Get("type"); t != "" && t != "app" && t != "key" {
		writeError(w, errBadQuery("Type must be one of 'app', 'key'"))
		return
	}
	if cerr := checkBindingIncludes(q); cerr != nil {
		writeError(w, cerr)
		return
	}
	sel, cerr := optionalSelector(q)
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*serviceBinding
	for _, sb := range sorted(s.svc.bindings, func(b *serviceBinding) int64 { return b.seq }) {
		if s.bindingMatches(q, sb) && sel.matches(sb.meta.labels) {
			list = append(list, sb)
		}
	}
	sortByOrder(list, q["order_by"], func(sb *serviceBinding) (string, base) { return deref(sb.name), sb.base })
	items := make([]any, len(list))
	for i, sb := range list {
		items[i] = s.presentBinding(sb)
	}
	writeList(w, r, s.base, items, func(from, to int) map[string]any { return s.bindingIncludes(q, list[from:to]) })
}

func checkBindingIncludes(q url.Values) *ccError {
	for _, inc := range listFilter(q, "include") {
		if inc != "app" && inc != "service_instance" {
			return errBadQuery("Invalid included resource: '" + inc + "'. Valid included resources are: 'app', 'service_instance'")
		}
	}
	return nil
}

func (s *Sim) bindingMatches(q url.Values, sb *serviceBinding) bool {
	si := s.svc.instances[sb.instanceGUID]
	var planGUID, planName, offeringGUID, offeringName, appName string
	if p := s.planOf(si); p != nil {
		o := s.svc.offerings[p.offeringGUID]
		planGUID, planName, offeringGUID, offeringName = p.guid, p.name, o.guid, o.name
	}
	if a := s.apps[sb.appGUID]; a != nil {
		appName = a.name
	}
	return matches(listFilter(q, "names"), deref(sb.name)) && matches(listFilter(q, "guids"), sb.guid) &&
		matches(listFilter(q, "type"), sb.kind) &&
		matches(listFilter(q, "service_instance_guids"), si.guid) && matches(listFilter(q, "service_instance_names"), si.name) &&
		matches(listFilter(q, "service_plan_guids"), planGUID) && matches(listFilter(q, "service_plan_names"), planName) &&
		matches(listFilter(q, "service_offering_guids"), offeringGUID) &&
		matches(listFilter(q, "service_offering_names"), offeringName) &&
		matches(listFilter(q, "app_guids"), sb.appGUID) && matches(listFilter(q, "app_names"), appName)
}

// bindingIncludes: include=app adds the bindings' apps, include=service_instance their
// instances, each in full and in creation order.
func (s *Sim) bindingIncludes(q url.Values, list []*serviceBinding) map[string]any {
	inc := map[string]any{}
	for _, what := range listFilter(q, "include") {
		var guids []string
		for _, sb := range list {
			if what == "app" && sb.appGUID != "" {
				guids = appendUnique(guids, sb.appGUID)
			} else if what == "service_instance" {
				guids = appendUnique(guids, sb.instanceGUID)
			}
		}
		out := []any{}
		if what == "app" {
			for _, g := range s.byCreation(guids, func(g string) base { return s.apps[g].base }) {
				out = append(out, s.presentApp(s.apps[g]))
			}
			inc["apps"] = out
			continue
		}
		for _, g := range s.byCreation(guids, func(g string) base { return s.svc.instances[g].base }) {
			out = append(out, s.presentServiceInstance(s.svc.instances[g]))
		}
		inc["service_instances"] = out
	}
	return nonEmpty(inc)
}

func (s *Sim) getBinding(w http.ResponseWriter, r *http.Request, sb *serviceBinding) {
	q := r.URL.Query()
	if cerr := checkBindingIncludes(q); cerr != nil {
		writeError(w, cerr)
		return
	}
	writeIncluded(w, s.presentBinding(sb), s.bindingIncludes(q, []*serviceBinding{sb}))
}

// updateBinding changes metadata only.
func (s *Sim) updateBinding(w http.ResponseWriter, r *http.Request, sb *serviceBinding) {
	var b struct {
		Metadata *metadataPatch `json:"metadata"`
	}
	if cerr := decodeBody(r, &b, "metadata"); cerr != nil {
		writeError(w, cerr)
		return
	}
	if sb.lastOp.kind == "delete" && sb.lastOp.inProgress() {
		writeError(w, errUnprocessable("The service binding is being deleted"))
		return
	}
	sb.meta.apply(b.Metadata)
	sb.touch()
	writeJSON(w, http.StatusOK, s.presentBinding(sb))
}

func (s *Sim) deleteBinding(w http.ResponseWriter, _ *http.Request, sb *serviceBinding) {
	si := s.svc.instances[sb.instanceGUID]
	if sb.lastOp.inProgress() {
		writeError(w, errUnprocessable("There is an operation in progress for the service binding."))
		return
	}
	if si.lastOp.inProgress() {
		writeError(w, errInstanceInProgress())
		return
	}
	if !si.managed() {
		delete(s.svc.bindings, sb.guid)
		s.changed()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeAccepted(w, s.jobURL(s.runBindingOperation(sb, "delete", nil)))
}

// getBindingDetails answers the credentials of a binding whose creation succeeded, else 404
// with what is going on ("Creation of service binding in progress").
func (s *Sim) getBindingDetails(w http.ResponseWriter, _ *http.Request, sb *serviceBinding) {
	if cerr := bindingNotReady(sb); cerr != nil {
		writeError(w, cerr)
		return
	}
	details := map[string]any{"credentials": credentialsOf(sb.credentials)}
	if sb.syslogDrainURL != nil {
		details["syslog_drain_url"] = *sb.syslogDrainURL
	}
	writeJSON(w, http.StatusOK, details)
}

func bindingNotReady(sb *serviceBinding) *ccError {
	if sb.lastOp.is("create", "succeeded") {
		return nil
	}
	what, op := "binding", "Creation"
	if sb.kind == "key" {
		what = "key"
	}
	if sb.lastOp.kind == "delete" {
		op = "Deletion"
	}
	return &ccError{http.StatusNotFound, op + " of service " + what + " " + sb.lastOp.state, "CF-ResourceNotFound", 10010}
}

// credentialsOf presents stored credentials; none given is an empty object.
func credentialsOf(raw json.RawMessage) any {
	if v := strings.TrimSpace(string(raw)); v == "" || v == "null" {
		return map[string]any{}
	}
	return raw
}

// getBindingParameters answers what the binding was created with; the built-in broker keeps
// them (bindings_retrievable). User-provided instances have no broker to ask.
func (s *Sim) getBindingParameters(w http.ResponseWriter, _ *http.Request, sb *serviceBinding) {
	if si := s.svc.instances[sb.instanceGUID]; !si.managed() {
		writeError(w, &ccError{http.StatusBadRequest, "This service does not support fetching service binding parameters.",
			"CF-ServiceFetchBindingParametersNotSupported", 90007})
		return
	}
	if cerr := bindingNotReady(sb); cerr != nil {
		writeError(w, cerr)
		return
	}
	writeRawObject(w, sb.parameters)
}
