package cfsim

import (
	"net/http"
	"sort"
)

func (s *Sim) routeOrgs(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/organizations", s.listOrgs)
	mux.HandleFunc("GET /v3/organizations/{guid}", s.getOrg)
	mux.HandleFunc("GET /v3/organizations/{guid}/domains/default", s.getDefaultDomain)
	mux.HandleFunc("GET /v3/organizations/{guid}/usage_summary", s.getOrgUsage)
	mux.HandleFunc("GET /v3/spaces", s.listSpaces)
	mux.HandleFunc("POST /v3/spaces", s.createSpace)
	mux.HandleFunc("GET /v3/spaces/{guid}", s.getSpace)
	mux.HandleFunc("GET /v3/spaces/{guid}/usage_summary", s.getSpaceUsage)
	mux.HandleFunc("POST /v3/spaces/{guid}/actions/apply_manifest", s.applyManifest)
	mux.HandleFunc("POST /v3/spaces/{guid}/manifest_diff", s.manifestDiff)
	mux.HandleFunc("GET /v3/domains", s.listDomains)
	mux.HandleFunc("GET /v3/domains/{guid}", s.getDomain)
	mux.HandleFunc("GET /v3/domains/{guid}/route_reservations", s.routeReservations)
	mux.HandleFunc("GET /v3/organization_quotas/{guid}", s.getQuota)
	mux.HandleFunc("GET /v3/space_quotas/{guid}", s.getQuota)
}

// seed creates the foundation's one org, space and shared apps domain, and the org's quota.
func (s *Sim) seed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &quota{base: s.nextBase(), name: "default"}
	s.quotas[q.guid] = q
	o := &org{base: s.nextBase(), name: s.cfg.Org, quotaGUID: q.guid, meta: newMetadata()}
	s.orgs[o.guid] = o
	s.addSpace(s.cfg.Space, o.guid)
	d := &domain{base: s.nextBase(), name: s.cfg.Domain}
	s.domains[d.guid] = d
	s.seedDomains()
}

func (s *Sim) addSpace(name, orgGUID string) *space {
	sp := &space{base: s.nextBase(), name: name, orgGUID: orgGUID, meta: newMetadata()}
	s.spaces[sp.guid] = sp
	return sp
}

func (s *Sim) presentOrg(o *org) map[string]any {
	p := "/v3/organizations/" + o.guid
	return map[string]any{
		"guid": o.guid, "created_at": timestamp(o.created), "updated_at": timestamp(o.updated),
		"name": o.name, "suspended": false,
		"relationships": map[string]any{"quota": rel(o.quotaGUID)},
		"metadata":      o.meta.present(),
		"links": map[string]any{"self": link(s.base, p), "domains": link(s.base, p+"/domains"),
			"default_domain": link(s.base, p+"/domains/default"), "quota": link(s.base, "/v3/organization_quotas/"+o.quotaGUID)},
	}
}

// rel is a to-one relationship: {"data":{"guid":...}} or {"data":null}.
func rel(guid string) map[string]any {
	if guid == "" {
		return map[string]any{"data": nil}
	}
	return map[string]any{"data": map[string]string{"guid": guid}}
}

// sorted returns records in creation order.
func sorted[T any](m map[string]T, seq func(T) int64) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return seq(out[i]) < seq(out[j]) })
	return out
}

func (s *Sim) listOrgs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, o := range sorted(s.orgs, func(o *org) int64 { return o.seq }) {
		if matches(listFilter(q, "names"), o.name) && matches(listFilter(q, "guids"), o.guid) {
			items = append(items, s.presentOrg(o))
		}
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getOrg(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Organization"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentOrg(o))
}

func (s *Sim) getDefaultDomain(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[r.PathValue("guid")]; !ok {
		writeError(w, errNotFound("Organization"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentDomain(s.sharedDomain()))
}

func (s *Sim) sharedDomain() *domain {
	return sorted(s.domains, func(d *domain) int64 { return d.seq })[0]
}

func (s *Sim) presentSpace(sp *space) map[string]any {
	p := "/v3/spaces/" + sp.guid
	return map[string]any{
		"guid": sp.guid, "created_at": timestamp(sp.created), "updated_at": timestamp(sp.updated),
		"name":          sp.name,
		"relationships": map[string]any{"organization": rel(sp.orgGUID), "quota": rel(sp.quotaGUID)},
		"metadata":      sp.meta.present(),
		"links": map[string]any{"self": link(s.base, p), "features": link(s.base, p+"/features"),
			"organization":   link(s.base, "/v3/organizations/"+sp.orgGUID),
			"apply_manifest": linkMethod(s.base, p+"/actions/apply_manifest", "POST")},
	}
}

func (s *Sim) listSpaces(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, sp := range sorted(s.spaces, func(sp *space) int64 { return sp.seq }) {
		if matches(listFilter(q, "names"), sp.name) && matches(listFilter(q, "guids"), sp.guid) &&
			matches(listFilter(q, "organization_guids"), sp.orgGUID) {
			items = append(items, s.presentSpace(sp))
		}
	}
	writeList(w, r, s.base, items)
}

// spaceIn is the space the request's path names; false, with CC's 404 written, when there is
// none. Callers hold s.mu.
func (s *Sim) spaceIn(w http.ResponseWriter, r *http.Request) (*space, bool) {
	sp, ok := s.spaces[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Space"))
	}
	return sp, ok
}

func (s *Sim) getSpace(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.spaceIn(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.presentSpace(sp))
}

func (s *Sim) createSpace(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name          string `json:"name"`
		Relationships struct {
			Organization struct {
				Data struct{ GUID string } `json:"data"`
			} `json:"organization"`
		} `json:"relationships"`
	}
	if err := decodeBody(r, &body, "name", "relationships", "metadata"); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	orgGUID := body.Relationships.Organization.Data.GUID
	if _, ok := s.orgs[orgGUID]; !ok {
		writeError(w, errUnprocessable("Invalid organization. Ensure the organization exists and you have access to it."))
		return
	}
	if body.Name == "" {
		writeError(w, errUnprocessable("Name can't be blank"))
		return
	}
	for _, sp := range s.spaces {
		if sp.orgGUID == orgGUID && sp.name == body.Name {
			writeError(w, errUniqueness("Organization '"+s.orgs[orgGUID].name+"' already contains a space with name '"+body.Name+"'."))
			return
		}
	}
	writeJSON(w, http.StatusCreated, s.presentSpace(s.addSpace(body.Name, orgGUID)))
}

func (s *Sim) presentDomain(d *domain) map[string]any {
	p := "/v3/domains/" + d.guid
	return map[string]any{
		"guid": d.guid, "created_at": timestamp(d.created), "updated_at": timestamp(d.updated),
		"name": d.name, "internal": d.internal, "router_group": nil, "supported_protocols": []string{"http"},
		"metadata": newMetadata().present(),
		"relationships": map[string]any{"organization": rel(""),
			"shared_organizations": map[string]any{"data": []any{}}},
		"links": map[string]any{"self": link(s.base, p),
			"route_reservations": link(s.base, p+"/route_reservations")},
	}
}

func (s *Sim) listDomains(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeDomains(w, r)
}

func (s *Sim) getDomain(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.domains[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Domain"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentDomain(d))
}

func (s *Sim) routeReservations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.domains[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Domain"))
		return
	}
	found := s.findRoute(d.guid, q.Get("host"), q.Get("path")) != nil
	writeJSON(w, http.StatusOK, map[string]any{"matching_route": found})
}
