package cfsim

import (
	"net/http"
	"net/url"
	"strings"
)

// The marketplace: brokers, offerings and plans as clients list them (cf marketplace,
// cf create-service, go-cfclient's ServiceBrokers, ServiceOfferings, ServicePlans).

func (s *Sim) routeServiceCatalog(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/service_brokers", s.listServiceBrokers)
	mux.HandleFunc("GET /v3/service_brokers/{guid}", s.getServiceBroker)
	mux.HandleFunc("GET /v3/service_offerings", s.listServiceOfferings)
	mux.HandleFunc("GET /v3/service_offerings/{guid}", s.getServiceOffering)
	mux.HandleFunc("GET /v3/service_plans", s.listServicePlans)
	mux.HandleFunc("GET /v3/service_plans/{guid}", s.getServicePlan)
}

func (s *Sim) presentBroker(b *serviceBroker) map[string]any {
	return map[string]any{
		"guid": b.guid, "created_at": timestamp(b.created), "updated_at": timestamp(b.updated),
		"name": b.name, "url": b.url, "relationships": map[string]any{}, "metadata": b.meta.present(),
		"links": map[string]any{"self": link(s.base, "/v3/service_brokers/"+b.guid),
			"service_offerings": link(s.base, "/v3/service_offerings?service_broker_guids="+b.guid)},
	}
}

func (s *Sim) presentOffering(o *serviceOffering) map[string]any {
	return map[string]any{
		"guid": o.guid, "created_at": timestamp(o.created), "updated_at": timestamp(o.updated),
		"name": o.name, "description": o.description, "available": true, "tags": o.tags,
		"requires": []string{}, "shareable": true, "documentation_url": o.docURL,
		"broker_catalog": map[string]any{"id": o.catalogID,
			"metadata": map[string]any{"shareable": true, "documentationUrl": o.docURL},
			"features": map[string]any{"plan_updateable": true, "bindable": o.bindable, "instances_retrievable": true,
				"bindings_retrievable": true, "allow_context_updates": false}},
		"relationships": map[string]any{"service_broker": rel(o.brokerGUID)},
		"metadata":      o.meta.present(),
		"links": map[string]any{"self": link(s.base, "/v3/service_offerings/"+o.guid),
			"service_plans":  link(s.base, "/v3/service_plans?service_offering_guids="+o.guid),
			"service_broker": link(s.base, "/v3/service_brokers/"+o.brokerGUID)},
	}
}

func (s *Sim) presentPlan(p *servicePlan) map[string]any {
	o := s.svc.offerings[p.offeringGUID]
	costs := p.costs
	if costs == nil {
		costs = []map[string]any{}
	}
	params := map[string]any{"parameters": map[string]any{}}
	return map[string]any{
		"guid": p.guid, "created_at": timestamp(p.created), "updated_at": timestamp(p.updated),
		"name": p.name, "visibility_type": "public", "available": true, "free": p.free, "costs": costs,
		"description": p.description, "maintenance_info": map[string]any{},
		"broker_catalog": map[string]any{"id": p.catalogID, "metadata": map[string]any{}, "maximum_polling_duration": nil,
			"features": map[string]any{"bindable": o.bindable, "plan_updateable": true}},
		"schemas": map[string]any{
			"service_instance": map[string]any{"create": params, "update": params},
			"service_binding":  map[string]any{"create": params}},
		"relationships": map[string]any{"service_offering": rel(p.offeringGUID)},
		"metadata":      p.meta.present(),
		"links": map[string]any{"self": link(s.base, "/v3/service_plans/"+p.guid),
			"service_offering": link(s.base, "/v3/service_offerings/"+p.offeringGUID),
			"visibility":       link(s.base, "/v3/service_plans/"+p.guid+"/visibility")},
	}
}

func (s *Sim) listServiceBrokers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, b := range sorted(s.svc.brokers, func(b *serviceBroker) int64 { return b.seq }) {
		// The broker is global: a space_guids filter names spaces it is scoped to, which it is not.
		if matches(listFilter(q, "names"), b.name) && listFilter(q, "space_guids") == nil {
			items = append(items, s.presentBroker(b))
		}
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getServiceBroker(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.svc.brokers[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Service broker"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentBroker(b))
}

// offeringMatches applies the offering filters clients send. Every plan is public, so the
// space and organization filters match whenever they name an existing space or org.
func (s *Sim) offeringMatches(q url.Values, o *serviceOffering, prefix string) bool {
	b := s.svc.brokers[o.brokerGUID]
	return matches(listFilter(q, prefix+"names"), o.name) &&
		matches(listFilter(q, "service_broker_guids"), b.guid) &&
		matches(listFilter(q, "service_broker_names"), b.name) &&
		s.visibleIn(q) && (q.Get("available") == "" || q.Get("available") == "true")
}

func (s *Sim) visibleIn(q url.Values) bool {
	known := func(filter []string, ok func(string) bool) bool {
		if filter == nil {
			return true
		}
		for _, g := range filter {
			if ok(g) {
				return true
			}
		}
		return false
	}
	return known(listFilter(q, "space_guids"), func(g string) bool { return s.spaces[g] != nil }) &&
		known(listFilter(q, "organization_guids"), func(g string) bool { return s.orgs[g] != nil })
}

func (s *Sim) listServiceOfferings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel, cerr := optionalSelector(q)
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	var page []*serviceOffering
	for _, o := range sorted(s.svc.offerings, func(o *serviceOffering) int64 { return o.seq }) {
		if s.offeringMatches(q, o, "") && matches(listFilter(q, "broker_catalog_ids"), o.catalogID) && sel.matches(o.meta.labels) {
			items = append(items, s.presentOffering(o))
			page = append(page, o)
		}
	}
	writeList(w, r, s.base, items, func(from, to int) map[string]any {
		return s.offeringsIncluded(q, page[from:to])
	})
}

// offeringsIncluded answers fields[service_broker]=name,guid with the page's brokers.
func (s *Sim) offeringsIncluded(q url.Values, offerings []*serviceOffering) map[string]any {
	fields := fieldSet(q, "fields[service_broker]", "name", "guid")
	if fields == nil {
		return nil
	}
	var guids []string
	for _, o := range offerings {
		guids = appendUnique(guids, o.brokerGUID)
	}
	return map[string]any{"service_brokers": s.brokerFields(guids, fields)}
}

func (s *Sim) brokerFields(guids []string, fields map[string]bool) []any {
	out := []any{}
	for _, g := range guids {
		b := s.svc.brokers[g]
		v := map[string]any{}
		if fields["name"] {
			v["name"] = b.name
		}
		if fields["guid"] {
			v["guid"] = b.guid
		}
		out = append(out, v)
	}
	return out
}

func (s *Sim) getServiceOffering(w http.ResponseWriter, r *http.Request) {
	getCatalogItem(s, w, r, s.svc.offerings, "Service offering", s.presentOffering, s.offeringsIncluded)
}

// getCatalogItem answers a get of one broker catalog item (an offering, a plan) with what its
// include asks for.
func getCatalogItem[T any](s *Sim, w http.ResponseWriter, r *http.Request, items map[string]*T, what string,
	present func(*T) map[string]any, included func(url.Values, []*T) map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	item, ok := items[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound(what))
		return
	}
	writeIncluded(w, present(item), included(r.URL.Query(), []*T{item}))
}

// writeIncluded answers one resource, with the resources its include asked for when any.
func writeIncluded(w http.ResponseWriter, body, included map[string]any) {
	if included != nil {
		body["included"] = included
	}
	writeJSON(w, http.StatusOK, body)
}

// optionalSelector parses label_selector when present; a nil selector matches everything.
func optionalSelector(q url.Values) (labelSelector, *ccError) {
	if q.Get("label_selector") == "" {
		return nil, nil
	}
	return parseLabelSelector(q.Get("label_selector"))
}

// fieldSet reads a fields[...] parameter, keeping only the allowed field names; nil when
// absent or when none is allowed (CC then adds nothing).
func fieldSet(q url.Values, key string, allowed ...string) map[string]bool {
	v := q.Get(key)
	if v == "" {
		return nil
	}
	set := map[string]bool{}
	for _, f := range strings.Split(v, ",") {
		for _, a := range allowed {
			if f == a {
				set[f] = true
			}
		}
	}
	if len(set) == 0 {
		return nil
	}
	return set
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
