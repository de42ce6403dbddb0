package cfsim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// Service credential bindings: type app (what VCAP_SERVICES is made of) and key (service
// keys). A binding to a user-provided instance is made at once and copies its credentials; a
// binding to a managed one goes through the built-in broker with a job.

func (s *Sim) routeServiceBindings(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/service_credential_bindings", s.createBinding)
	mux.HandleFunc("GET /v3/service_credential_bindings", s.listBindings)
	mux.HandleFunc("GET /v3/service_credential_bindings/{guid}", s.withBinding(s.getBinding))
	mux.HandleFunc("PATCH /v3/service_credential_bindings/{guid}", s.withBinding(s.updateBinding))
	mux.HandleFunc("DELETE /v3/service_credential_bindings/{guid}", s.withBinding(s.deleteBinding))
	mux.HandleFunc("GET /v3/service_credential_bindings/{guid}/details", s.withBinding(s.getBindingDetails))
	mux.HandleFunc("GET /v3/service_credential_bindings/{guid}/parameters", s.withBinding(s.getBindingParameters))
}

// withBinding looks the binding up under s.mu: 404 "Service credential binding not found".
func (s *Sim) withBinding(h func(http.ResponseWriter, *http.Request, *serviceBinding)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		sb, ok := s.svc.bindings[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Service credential binding"))
			return
		}
		h(w, r, sb)
	}
}

type bindingBody struct {
	Type          string          `json:"type"`
	Strategy      *string         `json:"strategy"`
	Name          *string         `json:"name"`
	Parameters    json.RawMessage `json:"parameters"`
	Metadata      *metadataPatch  `json:"metadata"`
	Relationships struct {
		ServiceInstance *relBody `json:"service_instance"`
		App             *relBody `json:"app"`
	} `json:"relationships"`
}

func (b bindingBody) params() json.RawMessage {
	if v := strings.TrimSpace(string(b.Parameters)); v == "" || v == "null" {
		return nil
	}
	return b.Parameters
}

func (s *Sim) createBinding(w http.ResponseWriter, r *http.Request) {
	var b bindingBody
	keys, cerr := decodeBodyKeys(r, &b, "type", "strategy", "name", "relationships", "parameters", "metadata")
	if cerr == nil {
		cerr = validateBindingBody(b)
	}
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	si := s.svc.instances[b.Relationships.ServiceInstance.guid()]
	if si == nil {
		writeError(w, errUnprocessable("The service instance could not be found: '"+b.Relationships.ServiceInstance.guid()+"'"))
		return
	}
	if _, ok := keys["parameters"]; ok && !si.managed() {
		writeError(w, errUnprocessable("Binding parameters are not supported for user-provided service instances"))
		return
	}
	sb, cerr := s.newBinding(b, si)
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	if !si.managed() {
		writeJSON(w, http.StatusCreated, s.presentBinding(sb))
		return
	}
	writeAccepted(w, s.jobURL(s.runBindingOperation(sb, "create", nil)))
}

var bindingNamePattern = regexp.MustCompile(`^(\w|-)+$`)

func validateBindingBody(b bindingBody) *ccError {
	switch {
	case b.Type != "app" && b.Type != "key":
		return errUnprocessable("Type must be 'app' or 'key'")
	case !jsonObjectOrNull(b.Parameters):
		return errUnprocessable("Parameters must be an object")
	case b.Relationships.ServiceInstance.guid() == "":
		return errUnprocessable("Relationships Service instance can't be blank")
	case b.Type == "key" && strings.TrimSpace(deref(b.Name)) == "":
		return errUnprocessable("Name can't be blank")
	case b.Type == "key" && b.Relationships.App != nil:
		return errUnprocessable("Relationships Unknown field(s): 'app'")
	case b.Type == "app" && b.Relationships.App.guid() == "":
		return errUnprocessable("Relationships App can't be blank")
	case b.Type == "app" && b.Strategy != nil && *b.Strategy != "single" && *b.Strategy != "multiple":
		return errUnprocessable("Strategy must be 'single' or 'multiple'")
	}
	return nil
}

// newBinding runs CC's checks for the binding's kind and stores it. A binding to a
// user-provided instance is complete at once; one to a managed instance waits for the broker
// (last operation create/initial). Callers hold s.mu.
func (s *Sim) newBinding(b bindingBody, si *serviceInstance) (*serviceBinding, *ccError) {
	var cerr *ccError
	if b.Type == "key" {
		cerr = s.checkKey(si, *b.Name)
	} else {
		cerr = s.checkAppBinding(si, b.Relationships.App.guid(), b.Name, deref(b.Strategy))
	}
	if cerr != nil {
		return nil, cerr
	}
	sb := &serviceBinding{base: s.nextBase(), kind: b.Type, name: b.Name, instanceGUID: si.guid,
		appGUID: b.Relationships.App.guid(), parameters: b.params(), meta: newMetadata()}
	sb.meta.apply(b.Metadata)
	sb.lastOp = newOperation("create", "initial", nil)
	if !si.managed() {
		sb.credentials, sb.syslogDrainURL = si.credentials, si.syslogDrainURL
		sb.lastOp = newOperation("create", "succeeded", nil)
	}
	s.svc.bindings[sb.guid] = sb
	return sb, nil
}

// runBindingOperation creates or deletes a managed binding through the broker and returns the
// job; done runs when the broker is done.
func (s *Sim) runBindingOperation(sb *serviceBinding, kind string, done func()) *job {
	si := s.svc.instances[sb.instanceGUID]
	o := s.offeringOf(si)
	gone := func() *ccError {
		if s.svc.bindings[sb.guid] != sb {
			return &ccError{http.StatusNotFound, "The binding could not be found: " + sb.guid, "CF-ResourceNotFound", 10010}
		}
		return nil
	}
	begin := func() *ccError {
		if err := gone(); err == nil && o.async {
			sb.lastOp = newOperation(kind, "in progress", nil)
		}
		return gone()
	}
	finish := func() *ccError {
		if err := gone(); err != nil {
			return err
		}
		s.completeBinding(sb, kind, o, si)
		if done != nil {
			done()
		}
		return nil
	}
	return s.startBrokerJob(bindingJobName(sb, kind), o.async, begin, finish)
}

// completeBinding records the broker's answer: new credentials on create, removal on delete.
func (s *Sim) completeBinding(sb *serviceBinding, kind string, o *serviceOffering, si *serviceInstance) {
	if kind == "delete" {
		delete(s.svc.bindings, sb.guid)
		s.changed()
		return
	}
	sb.credentials = brokerCredentials(o, si, sb)
	sb.lastOp = newOperation("create", "succeeded", nil)
	sb.touch()
}

func bindingJobName(sb *serviceBinding, kind string) string {
	if sb.kind == "key" {
		return "service_keys." + kind
	}
	return "service_bindings." + kind
}

// unbindApp forgets an app's bindings when the app is deleted. Callers hold s.mu.
func (s *Sim) unbindApp(appGUID string) {
	for g, sb := range s.svc.bindings {
		if sb.appGUID == appGUID {
			delete(s.svc.bindings, g)
		}
	}
}
