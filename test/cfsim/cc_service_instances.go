package cfsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Service instances: user-provided ones are created, updated and deleted at once; managed ones
// through the built-in broker, with a job and last_operation (service_broker.go).

func (s *Sim) routeServiceInstances(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/service_instances", s.createServiceInstance)
	mux.HandleFunc("GET /v3/service_instances", s.listServiceInstances)
	mux.HandleFunc("GET /v3/service_instances/{guid}", s.withInstance(s.getServiceInstance))
	mux.HandleFunc("PATCH /v3/service_instances/{guid}", s.withInstance(s.updateServiceInstance))
	mux.HandleFunc("DELETE /v3/service_instances/{guid}", s.withInstance(s.deleteServiceInstance))
	mux.HandleFunc("GET /v3/service_instances/{guid}/credentials", s.withInstance(s.getInstanceCredentials))
	mux.HandleFunc("GET /v3/service_instances/{guid}/parameters", s.withInstance(s.getInstanceParameters))
	mux.HandleFunc("GET /v3/service_instances/{guid}/permissions", s.withInstance(s.getInstancePermissions))
	mux.HandleFunc("GET /v3/service_instances/{guid}/relationships/shared_spaces", s.withInstance(s.getSharedSpaces))
	mux.HandleFunc("GET /v3/service_instances/{guid}/relationships/shared_spaces/usage_summary",
		s.withInstance(s.getSharedUsage))
}

// withInstance looks the instance up under s.mu: 404 "Service instance not found" if missing.
func (s *Sim) withInstance(h func(http.ResponseWriter, *http.Request, *serviceInstance)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		si, ok := s.svc.instances[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Service instance"))
			return
		}
		h(w, r, si)
	}
}

type relBody struct {
	Data *struct {
		GUID string `json:"guid"`
	} `json:"data"`
}

func (b *relBody) guid() string {
	if b == nil || b.Data == nil {
		return ""
	}
	return b.Data.GUID
}

type instanceBody struct {
	Type            string          `json:"type"`
	Name            *string         `json:"name"`
	Tags            []string        `json:"tags"`
	Credentials     json.RawMessage `json:"credentials"`
	SyslogDrainURL  *string         `json:"syslog_drain_url"`
	RouteServiceURL *string         `json:"route_service_url"`
	Parameters      json.RawMessage `json:"parameters"`
	Metadata        *metadataPatch  `json:"metadata"`
	Relationships   struct {
		Space       *relBody `json:"space"`
		ServicePlan *relBody `json:"service_plan"`
	} `json:"relationships"`
}

var (
	upsKeys     = []string{"type", "name", "tags", "credentials", "syslog_drain_url", "route_service_url", "metadata", "relationships"}
	managedKeys = []string{"type", "name", "tags", "parameters", "metadata", "relationships"}
)

func (s *Sim) createServiceInstance(w http.ResponseWriter, r *http.Request) {
	var body instanceBody
	keys, cerr := decodeBodyKeys(r, &body)
	if cerr == nil {
		cerr = validateInstanceCreate(body, keys)
	}
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.spaces[body.Relationships.Space.guid()]
	if sp == nil {
		writeError(w, errUnprocessable("Invalid space. Ensure that the space exists and you have access to it."))
		return
	}
	if body.Type == "user-provided" {
		si, err := s.createUserProvided(body, sp)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, s.presentServiceInstance(si))
		return
	}
	j, err := s.createManaged(body, sp)
	if err != nil {
		writeError(w, err)
		return
	}
	writeAccepted(w, s.jobURL(j))
}

// validateInstanceCreate checks the request as CC's create messages do.
func validateInstanceCreate(b instanceBody, keys map[string]json.RawMessage) *ccError {
	allowed := managedKeys
	switch b.Type {
	case "user-provided":
		allowed = upsKeys
	case "managed":
	default:
		return errUnprocessable("Type must be one of 'managed', 'user-provided'")
	}
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return errUnprocessable("Name can't be blank")
	}
	if unknown := unknownKeys(keys, allowed); len(unknown) > 0 {
		return errUnprocessable("Unknown field(s): '" + strings.Join(unknown, "', '") + "'")
	}
	if b.Relationships.Space.guid() == "" {
		return errUnprocessable("Relationships Space can't be blank")
	}
	if b.Type == "managed" && b.Relationships.ServicePlan.guid() == "" {
		return errUnprocessable("Relationships Service plan can't be blank")
	}
	return validateUserProvidedFields(b.Credentials, b.RouteServiceURL, b.Parameters)
}

func validateUserProvidedFields(credentials json.RawMessage, routeURL *string, parameters json.RawMessage) *ccError {
	if !jsonObjectOrNull(credentials) {
		return errUnprocessable("Credentials must be an object")
	}
	if !jsonObjectOrNull(parameters) {
		return errUnprocessable("Parameters must be an object")
	}
	if routeURL != nil && *routeURL != "" && !strings.HasPrefix(*routeURL, "https:") {
		return errUnprocessable("Route service url must be https")
	}
	return nil
}

// jsonObjectOrNull: the value is absent, null or a JSON object.
func jsonObjectOrNull(raw json.RawMessage) bool {
	v := strings.TrimSpace(string(raw))
	return v == "" || v == "null" || strings.HasPrefix(v, "{")
}

// instanceNamed finds an instance by name in a space. Callers hold s.mu.
func (s *Sim) instanceNamed(spaceGUID, name string) *serviceInstance {
	for _, si := range s.svc.instances {
		if si.spaceGUID == spaceGUID && si.name == name {
			return si
		}
	}
	return nil
}

func errNameTaken(name string) *ccError {
	return errUnprocessable("The service instance name is taken: " + name + ".")
}

func (s *Sim) createUserProvided(b instanceBody, sp *space) (*serviceInstance, *ccError) {
	if s.instanceNamed(sp.guid, *b.Name) != nil {
		return nil, errNameTaken(*b.Name)
	}
	si := &serviceInstance{base: s.nextBase(), name: *b.Name, spaceGUID: sp.guid, tags: b.Tags,
		credentials: b.Credentials, syslogDrainURL: b.SyslogDrainURL, routeURL: b.RouteServiceURL,
		lastOp: newOperation("create", "succeeded", strPtr("Operation succeeded")), meta: newMetadata()}
	si.meta.apply(b.Metadata)
	s.svc.instances[si.guid] = si
	return si, nil
}

func (s *Sim) listServiceInstances(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if t := q.Get("type"); t != "" && t != "managed" && t != "user-provided" {
		writeError(w, errBadQuery("Type must be one of 'managed', 'user-provided'"))
		return
	}
	sel, cerr := optionalSelector(q)
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.matchingInstances(q, sel)
	items := make([]any, len(list))
	for i, si := range list {
		items[i] = s.presentServiceInstance(si)
	}
	writeList(w, r, s.base, items, func(from, to int) map[string]any {
		return s.instanceFields(q, list[from:to])
	})
}

func (s *Sim) matchingInstances(q url.Values, sel labelSelector) []*serviceInstance {
	var out []*serviceInstance
	for _, si := range sorted(s.svc.instances, func(si *serviceInstance) int64 { return si.seq }) {
		kind := "user-provided"
		planName := ""
		if p := s.planOf(si); p != nil {
			kind, planName = "managed", p.name
		}
		if matches(listFilter(q, "names"), si.name) && matches(listFilter(q, "guids"), si.guid) &&
			matches(listFilter(q, "space_guids"), si.spaceGUID) &&
			matches(listFilter(q, "organization_guids"), s.spaces[si.spaceGUID].orgGUID) &&
			(q["type"] == nil || q["type"][0] == kind) &&
			matches(listFilter(q, "service_plan_guids"), si.planGUID) &&
			matches(listFilter(q, "service_plan_names"), planName) && sel.matches(si.meta.labels) {
			out = append(out, si)
		}
	}
	sortByOrder(out, q["order_by"], func(si *serviceInstance) (string, base) { return si.name, si.base })
	return out
}

// sortByOrder applies order_by (name, created_at, updated_at, '-' for descending); the
// default is creation order, which the list already has.
func sortByOrder[T any](list []T, orderBy []string, key func(T) (string, base)) {
	if len(orderBy) == 0 {
		return
	}
	field, desc := strings.TrimPrefix(orderBy[0], "-"), strings.HasPrefix(orderBy[0], "-")
	less := func(a, b T) bool {
		an, ab := key(a)
		bn, bb := key(b)
		switch field {
		case "name":
			return an < bn
		case "updated_at":
			return ab.updated.Before(bb.updated)
		}
		return ab.seq < bb.seq
	}
	sort.SliceStable(list, func(i, j int) bool {
		if desc {
			return less(list[j], list[i])
		}
		return less(list[i], list[j])
	})
}

func (s *Sim) getServiceInstance(w http.ResponseWriter, r *http.Request, si *serviceInstance) {
	writeIncluded(w, s.presentServiceInstance(si), s.instanceFields(r.URL.Query(), []*serviceInstance{si}))
}

// touch records a change to an instance.
func (si *serviceInstance) touch() { si.updated = time.Now() }
