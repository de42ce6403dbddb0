package cfsim

import (
	"net/url"
	"sort"
)

// How CC presents a service instance, and the "included" its fields[...] parameters add
// (cf services and cf service ask for plan, offering, broker, space and org names this way).

func (s *Sim) presentServiceInstance(si *serviceInstance) map[string]any {
	p := "/v3/service_instances/" + si.guid
	tags := si.tags
	if tags == nil {
		tags = []string{}
	}
	links := map[string]any{"self": link(s.base, p), "space": link(s.base, "/v3/spaces/"+si.spaceGUID),
		"service_credential_bindings": link(s.base, "/v3/service_credential_bindings?service_instance_guids="+si.guid),
		"service_route_bindings":      link(s.base, "/v3/service_route_bindings?service_instance_guids="+si.guid)}
	out := map[string]any{
		"guid": si.guid, "created_at": timestamp(si.created), "updated_at": timestamp(si.updated),
		"name": si.name, "tags": tags, "last_operation": presentOperation(si.lastOp),
		"metadata": si.meta.present(), "links": links,
	}
	rels := map[string]any{"space": rel(si.spaceGUID)}
	if si.managed() {
		out["type"], out["maintenance_info"], out["upgrade_available"], out["dashboard_url"] = "managed", map[string]any{}, false, nil
		rels["service_plan"] = rel(si.planGUID)
		links["service_plan"] = link(s.base, "/v3/service_plans/"+si.planGUID)
		links["parameters"] = link(s.base, p+"/parameters")
		links["shared_spaces"] = link(s.base, p+"/relationships/shared_spaces")
	} else {
		out["type"], out["syslog_drain_url"], out["route_service_url"] = "user-provided", si.syslogDrainURL, si.routeURL
		links["credentials"] = link(s.base, p+"/credentials")
	}
	out["relationships"] = rels
	return out
}

// presentOperation: {} when there is none, else CC's five keys.
func presentOperation(op *lastOperation) map[string]any {
	if op == nil {
		return map[string]any{}
	}
	return map[string]any{"type": op.kind, "state": op.state, "description": op.description,
		"updated_at": timestamp(op.updated), "created_at": timestamp(op.created)}
}

// instanceFields builds "included" from the fields[...] parameters: spaces and orgs of every
// instance; plans, offerings and brokers of the managed ones only.
func (s *Sim) instanceFields(q url.Values, list []*serviceInstance) map[string]any {
	inc := map[string]any{}
	var spaces, orgs, plans, offerings, brokers []string
	for _, si := range list {
		spaces = appendUnique(spaces, si.spaceGUID)
		orgs = appendUnique(orgs, s.spaces[si.spaceGUID].orgGUID)
		if p := s.planOf(si); p != nil {
			plans = appendUnique(plans, p.guid)
			offerings = appendUnique(offerings, p.offeringGUID)
			brokers = appendUnique(brokers, s.svc.offerings[p.offeringGUID].brokerGUID)
		}
	}
	if f := fieldSet(q, "fields[space]", "guid", "name", "relationships.organization"); f != nil {
		inc["spaces"] = s.spaceFields(spaces, f)
	}
	if f := fieldSet(q, "fields[space.organization]", "guid", "name"); f != nil {
		inc["organizations"] = s.orgFields(orgs, f)
	}
	if len(plans) == 0 {
		return nonEmpty(inc)
	}
	if f := fieldSet(q, "fields[service_plan]", "guid", "name", "relationships.service_offering"); f != nil {
		inc["service_plans"] = s.planFields(plans, f)
	}
	if f := fieldSet(q, "fields[service_plan.service_offering]", "name", "guid", "description",
		"documentation_url", "tags", "relationships.service_broker"); f != nil {
		inc["service_offerings"] = s.offeringFields(offerings, f)
	}
	if f := fieldSet(q, "fields[service_plan.service_offering.service_broker]", "name", "guid"); f != nil {
		inc["service_brokers"] = s.brokerFields(brokers, f)
	}
	return nonEmpty(inc)
}

func nonEmpty(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// pick copies the chosen fields of a full presentation.
func pick(full map[string]any, fields map[string]bool, relationship string) map[string]any {
	out := map[string]any{}
	for f := range fields {
		if f == "relationships."+relationship {
			rels, _ := full["relationships"].(map[string]any)
			out["relationships"] = map[string]any{relationship: rels[relationship]}
		} else {
			out[f] = full[f]
		}
	}
	return out
}

func (s *Sim) spaceFields(guids []string, f map[string]bool) []any {
	out := []any{}
	for _, g := range s.byCreation(guids, func(g string) base { return s.spaces[g].base }) {
		out = append(out, pick(s.presentSpace(s.spaces[g]), f, "organization"))
	}
	return out
}

func (s *Sim) orgFields(guids []string, f map[string]bool) []any {
	out := []any{}
	for _, g := range s.byCreation(guids, func(g string) base { return s.orgs[g].base }) {
		out = append(out, pick(s.presentOrg(s.orgs[g]), f, ""))
	}
	return out
}

func (s *Sim) planFields(guids []string, f map[string]bool) []any {
	out := []any{}
	for _, g := range s.byCreation(guids, func(g string) base { return s.svc.plans[g].base }) {
		out = append(out, pick(s.presentPlan(s.svc.plans[g]), f, "service_offering"))
	}
	return out
}

func (s *Sim) offeringFields(guids []string, f map[string]bool) []any {
	out := []any{}
	for _, g := range s.byCreation(guids, func(g string) base { return s.svc.offerings[g].base }) {
		out = append(out, pick(s.presentOffering(s.svc.offerings[g]), f, "service_broker"))
	}
	return out
}

// byCreation orders guids by their records' creation, as CC's decorators order by created_at.
func (s *Sim) byCreation(guids []string, rec func(string) base) []string {
	out := append([]string{}, guids...)
	sort.SliceStable(out, func(i, j int) bool { return rec(out[i]).seq < rec(out[j]).seq })
	return out
}
