package cfsim

import (
	"net/http"
	"net/url"
)

// GET /v3/service_plans and /v3/service_plans/:guid, with the filters, include and fields
// cf marketplace and cf create-service send.

func (s *Sim) listServicePlans(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel, cerr := optionalSelector(q)
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	var plans []*servicePlan
	for _, p := range sorted(s.svc.plans, func(p *servicePlan) int64 { return p.seq }) {
		if s.planMatches(q, p) && sel.matches(p.meta.labels) {
			items = append(items, s.presentPlan(p))
			plans = append(plans, p)
		}
	}
	writeList(w, r, s.base, items, func(from, to int) map[string]any {
		return s.plansIncluded(q, plans[from:to])
	})
}

func (s *Sim) planMatches(q url.Values, p *servicePlan) bool {
	o := s.svc.offerings[p.offeringGUID]
	if !matches(listFilter(q, "names"), p.name) || !matches(listFilter(q, "broker_catalog_ids"), p.catalogID) ||
		!matches(listFilter(q, "service_offering_guids"), o.guid) || !s.offeringMatches(q, o, "service_offering_") {
		return false
	}
	if f := listFilter(q, "service_instance_guids"); f != nil {
		for _, g := range f {
			if si := s.svc.instances[g]; si != nil && si.planGUID == p.guid {
				return true
			}
		}
		return false
	}
	return true
}

func (s *Sim) getServicePlan(w http.ResponseWriter, r *http.Request) {
	getCatalogItem(s, w, r, s.svc.plans, "Service plan", s.presentPlan, s.plansIncluded)
}

// plansIncluded: include=service_offering adds the plans' offerings in full,
// include=space.organization the spaces and orgs of space-scoped brokers (none here), and
// fields[service_offering.service_broker] the brokers' names and guids.
func (s *Sim) plansIncluded(q url.Values, plans []*servicePlan) map[string]any {
	inc := map[string]any{}
	includes := listFilter(q, "include")
	var offerings []string
	for _, p := range plans {
		offerings = appendUnique(offerings, p.offeringGUID)
	}
	if matches(includes, "service_offering") && includes != nil {
		list := []any{}
		for _, g := range offerings {
			list = append(list, s.presentOffering(s.svc.offerings[g]))
		}
		inc["service_offerings"] = list
	}
	if matches(includes, "space.organization") && includes != nil {
		inc["spaces"], inc["organizations"] = []any{}, []any{}
	}
	if fields := fieldSet(q, "fields[service_offering.service_broker]", "name", "guid"); fields != nil {
		var brokers []string
		for _, g := range offerings {
			brokers = appendUnique(brokers, s.svc.offerings[g].brokerGUID)
		}
		inc["service_brokers"] = s.brokerFields(brokers, fields)
	}
	if len(inc) == 0 {
		return nil
	}
	return inc
}
