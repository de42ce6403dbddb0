package cfsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

func (s *Sim) routeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/routes", s.createRoute)
	mux.HandleFunc("GET /v3/routes", s.listRoutes)
	mux.HandleFunc("GET /v3/routes/{guid}", s.withRoute(s.getRoute))
	mux.HandleFunc("PATCH /v3/routes/{guid}", s.withRoute(s.updateRoute))
	mux.HandleFunc("DELETE /v3/routes/{guid}", s.withRoute(s.deleteRoute))
	mux.HandleFunc("GET /v3/routes/{guid}/destinations", s.withRoute(s.getDestinations))
	mux.HandleFunc("POST /v3/routes/{guid}/destinations", s.withRoute(s.insertDestinations))
	mux.HandleFunc("PATCH /v3/routes/{guid}/destinations", s.withRoute(s.replaceDestinations))
	mux.HandleFunc("PATCH /v3/routes/{guid}/destinations/{dguid}", s.withRoute(s.updateDestination))
	mux.HandleFunc("DELETE /v3/routes/{guid}/destinations/{dguid}", s.withRoute(s.removeDestination))
	mux.HandleFunc("GET /v3/apps/{guid}/routes", s.withApp(s.listAppRoutes))
	mux.HandleFunc("DELETE /v3/spaces/{guid}/routes", s.deleteUnmappedRoutes)
	mux.HandleFunc("GET /v3/service_route_bindings", s.listServiceRouteBindings)
}

var hostPattern = regexp.MustCompile(`^([\w-]{1,63}|\*)$`)

func (s *Sim) withRoute(h func(http.ResponseWriter, *http.Request, *route)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		rt, ok := s.routes[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Route"))
			return
		}
		h(w, r, rt)
	}
}

func (s *Sim) routeURL(rt *route) string {
	d := s.domains[rt.domainGUID]
	url := d.name
	if rt.host != "" {
		url = rt.host + "." + d.name
	}
	return url + rt.path
}

func (s *Sim) presentRoute(rt *route) map[string]any {
	path := "/v3/routes/" + rt.guid
	out := map[string]any{
		"guid": rt.guid, "created_at": timestamp(rt.created), "updated_at": timestamp(rt.updated),
		"protocol": "http", "host": rt.host, "path": rt.path, "port": nil, "url": s.routeURL(rt),
		"destinations": s.presentDestinations(rt), "metadata": rt.meta.present(), "options": copyMap(rt.options),
		"relationships": map[string]any{"space": rel(rt.spaceGUID), "domain": rel(rt.domainGUID)},
		"links": map[string]any{"self": link(s.base, path), "space": link(s.base, "/v3/spaces/"+rt.spaceGUID),
			"destinations": link(s.base, path+"/destinations"), "domain": link(s.base, "/v3/domains/"+rt.domainGUID)},
	}
	return out
}

type routeCreateBody struct {
	Host          string          `json:"host"`
	Path          string          `json:"path"`
	Port          *int            `json:"port"`
	Options       json.RawMessage `json:"options"`
	Metadata      *metadataPatch  `json:"metadata"`
	Relationships struct {
		Domain struct {
			Data struct {
				GUID string `json:"guid"`
			} `json:"data"`
		} `json:"domain"`
		Space struct {
			Data struct {
				GUID string `json:"guid"`
			} `json:"data"`
		} `json:"space"`
	} `json:"relationships"`
}

func (s *Sim) createRoute(w http.ResponseWriter, r *http.Request) {
	var body routeCreateBody
	keys, err := decodeBodyKeys(r, &body, "host", "path", "port", "options", "metadata", "relationships")
	if err != nil {
		writeError(w, err)
		return
	}
	var opts map[string]*string
	if _, ok := keys["options"]; ok {
		if opts, err = parseRouteOptions(body.Options); err != nil {
			writeError(w, err)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, err := s.newRoute(body.Host, body.Path, body.Relationships.Domain.Data.GUID, body.Relationships.Space.Data.GUID)
	if err != nil {
		writeError(w, err)
		return
	}
	rt.options = mergeRouteOptions(nil, opts)
	rt.meta.apply(body.Metadata)
	writeJSON(w, http.StatusCreated, s.presentRoute(rt))
}

// newRoute validates and stores an HTTP route. Callers hold s.mu.
func (s *Sim) newRoute(host, path, domainGUID, spaceGUID string) (*route, *ccError) {
	d, ok := s.domains[domainGUID]
	if !ok {
		return nil, errUnprocessable("Invalid domain. Ensure that the domain exists and you have access to it.")
	}
	sp, ok := s.spaces[spaceGUID]
	if !ok {
		return nil, errUnprocessable("Invalid space. Ensure that the space exists and you have access to it.")
	}
	if err := validateRoute(host, path); err != nil {
		return nil, err
	}
	if err := internalRouteError(d, host, path); err != nil {
		return nil, err
	}
	if s.findRoute(domainGUID, host, path) != nil {
		return nil, errUnprocessable(routeTaken(host, path, d.name))
	}
	if err := s.routeQuota(sp); err != nil {
		return nil, err
	}
	rt := &route{base: s.nextBase(), host: host, path: path, spaceGUID: spaceGUID, domainGUID: domainGUID,
		options: map[string]string{}, meta: newMetadata()}
	s.routes[rt.guid] = rt
	return rt, nil
}

func validateRoute(host, path string) *ccError {
	if host == "" {
		return errUnprocessable("Missing host. Routes in shared domains must have a host defined.")
	}
	if !hostPattern.MatchString(host) {
		return errUnprocessable("Host format is invalid.")
	}
	if path != "" && (!strings.HasPrefix(path, "/") || path == "/" || strings.Contains(path, "?")) {
		return errUnprocessable("Path must begin with a '/' and must not be just '/' or contain a '?'")
	}
	return nil
}

func routeTaken(host, path, domain string) string {
	if path != "" {
		return fmt.Sprintf("Route already exists with host '%s' and path '%s' for domain '%s'.", host, path, domain)
	}
	return fmt.Sprintf("Route already exists with host '%s' for domain '%s'.", host, domain)
}

func (s *Sim) routeQuota(sp *space) *ccError {
	orgQ := s.quotas[s.orgs[sp.orgGUID].quotaGUID]
	if orgQ.totalRoutes != nil && s.orgUsage(sp.orgGUID).routes >= *orgQ.totalRoutes {
		return errUnprocessable("Routes quota exceeded for organization '" + s.orgs[sp.orgGUID].name + "'.")
	}
	if q := s.quotas[sp.quotaGUID]; q != nil && q.totalRoutes != nil && s.spaceUsage(sp.guid).routes >= *q.totalRoutes {
		return errUnprocessable("Routes quota exceeded for space '" + sp.name + "'.")
	}
	return nil
}

func (s *Sim) findRoute(domainGUID, host, path string) *route {
	for _, rt := range s.routes {
		if rt.domainGUID == domainGUID && strings.EqualFold(rt.host, host) && rt.path == path {
			return rt
		}
	}
	return nil
}

func (s *Sim) routesWhere(r *http.Request, keep func(*route) bool) []any {
	q := r.URL.Query()
	var items []any
	for _, rt := range sorted(s.routes, func(rt *route) int64 { return rt.seq }) {
		appOK := listFilter(q, "app_guids") == nil
		for _, d := range rt.destinations {
			appOK = appOK || matches(listFilter(q, "app_guids"), d.appGUID)
		}
		if keep(rt) && appOK && matches(listFilter(q, "hosts"), rt.host) && matches(listFilter(q, "paths"), rt.path) &&
			matches(listFilter(q, "domain_guids"), rt.domainGUID) && matches(listFilter(q, "space_guids"), rt.spaceGUID) &&
			matches(listFilter(q, "guids"), rt.guid) &&
			matches(listFilter(q, "organization_guids"), s.spaces[rt.spaceGUID].orgGUID) {
			items = append(items, s.presentRoute(rt))
		}
	}
	return items
}

// routesQuery is CC's routes list message: there is no "unmapped" filter (only the space's
// DELETE takes unmapped=true), so GET /v3/routes?unmapped=true is a 400 as on CC.
var routesQuery = listQuery{
	params: []string{"hosts", "space_guids", "organization_guids", "domain_guids", "paths", "app_guids",
		"include", "label_selector", "ports", "service_instance_guids"},
	include: []string{"domain", "space", "space.organization", "route_policies"},
}

func (s *Sim) listRoutes(w http.ResponseWriter, r *http.Request) {
	if err := routesQuery.check(r.URL.Query()); err != nil {
		writeError(w, err)
		return
	}
	var sel labelSelector
	if v := r.URL.Query().Get("label_selector"); v != "" {
		var err *ccError
		if sel, err = parseLabelSelector(v); err != nil {
			writeError(w, err)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeList(w, r, s.base, s.routesWhere(r, func(rt *route) bool { return sel.matches(rt.meta.labels) }))
}

func (s *Sim) listAppRoutes(w http.ResponseWriter, r *http.Request, a *app) {
	writeList(w, r, s.base, s.routesWhere(r, func(rt *route) bool {
		for _, d := range rt.destinations {
			if d.appGUID == a.guid {
				return true
			}
		}
		return false
	}))
}

func (s *Sim) getRoute(w http.ResponseWriter, _ *http.Request, rt *route) {
	writeJSON(w, http.StatusOK, s.presentRoute(rt))
}

func (s *Sim) updateRoute(w http.ResponseWriter, r *http.Request, rt *route) {
	var body struct {
		Options  json.RawMessage `json:"options"`
		Metadata *metadataPatch  `json:"metadata"`
	}
	keys, err := decodeBodyKeys(r, &body, "options", "metadata")
	if err != nil {
		writeError(w, err)
		return
	}
	if _, ok := keys["options"]; ok {
		opts, err := parseRouteOptions(body.Options)
		if err != nil {
			writeError(w, err)
			return
		}
		rt.options = mergeRouteOptions(rt.options, opts)
		s.changed()
	}
	rt.meta.apply(body.Metadata)
	rt.updated = time.Now()
	writeJSON(w, http.StatusOK, s.presentRoute(rt))
}

func (s *Sim) deleteRoute(w http.ResponseWriter, _ *http.Request, rt *route) {
	j := s.startJob("route.delete", rt.spaceGUID, func() []*ccError {
		delete(s.routes, rt.guid)
		return nil
	})
	writeAccepted(w, s.jobURL(j))
}

// appURIs lists the URLs of the routes mapped to an app. Callers hold s.mu.
func (s *Sim) appURIs(appGUID string) []string {
	uris := []string{}
	for _, rt := range sorted(s.routes, func(rt *route) int64 { return rt.seq }) {
		for _, d := range rt.destinations {
			if d.appGUID == appGUID {
				uris = append(uris, s.routeURL(rt))
				break
			}
		}
	}
	return uris
}
