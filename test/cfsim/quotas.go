package cfsim

import (
	"fmt"
	"net/http"
)

// QuotaLimits are the limits a test can set; nil means unlimited.
type QuotaLimits struct {
	TotalMemoryMB  *int `json:"total_memory_in_mb"`
	TotalInstances *int `json:"total_instances"`
	TotalRoutes    *int `json:"total_routes"`
}

// SetOrgQuota changes the limits of the org's quota.
func (s *Sim) SetOrgQuota(l QuotaLimits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		q := s.quotas[o.quotaGUID]
		q.totalMemoryMB, q.totalInstances, q.totalRoutes = l.TotalMemoryMB, l.TotalInstances, l.TotalRoutes
	}
}

// SetSpaceQuota gives every space a space quota with these limits.
func (s *Sim) SetSpaceQuota(l QuotaLimits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sp := range s.spaces {
		if sp.quotaGUID == "" {
			q := &quota{base: s.nextBase(), name: "space-quota-" + sp.name, space: true, orgGUID: sp.orgGUID}
			s.quotas[q.guid] = q
			sp.quotaGUID = q.guid
		}
		q := s.quotas[sp.quotaGUID]
		q.totalMemoryMB, q.totalInstances, q.totalRoutes = l.TotalMemoryMB, l.TotalInstances, l.TotalRoutes
	}
}

func (s *Sim) getQuota(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.quotas[r.PathValue("guid")]
	if !ok {
		name := "Organization quota"
		if r.URL.Path[4:9] == "space" {
			name = "Space quota"
		}
		writeError(w, errNotFound(name))
		return
	}
	writeJSON(w, http.StatusOK, s.presentQuota(q))
}

func (s *Sim) presentQuota(q *quota) map[string]any {
	kind, rels := "organization_quotas", map[string]any{}
	if q.space {
		kind = "space_quotas"
		rels["organization"] = rel(q.orgGUID)
		rels["spaces"] = map[string]any{"data": s.guidsWhere(func(sp *space) bool { return sp.quotaGUID == q.guid })}
	} else {
		var orgs []map[string]string
		for _, o := range s.orgs {
			if o.quotaGUID == q.guid {
				orgs = append(orgs, map[string]string{"guid": o.guid})
			}
		}
		rels["organizations"] = map[string]any{"data": orgs}
	}
	return map[string]any{
		"guid": q.guid, "created_at": timestamp(q.created), "updated_at": timestamp(q.updated), "name": q.name,
		"apps": map[string]any{"total_memory_in_mb": q.totalMemoryMB, "per_process_memory_in_mb": nil,
			"total_instances": q.totalInstances, "per_app_tasks": nil, "log_rate_limit_in_bytes_per_second": nil},
		"services":      map[string]any{"paid_services_allowed": true, "total_service_instances": nil, "total_service_keys": nil},
		"routes":        map[string]any{"total_routes": q.totalRoutes, "total_reserved_ports": nil},
		"domains":       map[string]any{"total_domains": nil},
		"relationships": rels,
		"links":         map[string]any{"self": link(s.base, "/v3/"+kind+"/"+q.guid)},
	}
}

func (s *Sim) guidsWhere(keep func(*space) bool) []map[string]string {
	var out []map[string]string
	for _, sp := range sorted(s.spaces, func(sp *space) int64 { return sp.seq }) {
		if keep(sp) {
			out = append(out, map[string]string{"guid": sp.guid})
		}
	}
	return out
}

// usage is what counts against quotas: the memory and instances of started processes.
type usage struct{ memoryMB, instances, routes int }

func (s *Sim) usageWhere(inScope func(spaceGUID string) bool) usage {
	var u usage
	for _, p := range s.processes {
		a := s.apps[p.appGUID]
		if a != nil && p.running && inScope(a.spaceGUID) {
			u.memoryMB += p.instances * p.memoryMB
			u.instances += p.instances
		}
	}
	for _, r := range s.routes {
		if inScope(r.spaceGUID) {
			u.routes++
		}
	}
	return u
}

func (s *Sim) spaceUsage(spaceGUID string) usage {
	return s.usageWhere(func(g string) bool { return g == spaceGUID })
}

func (s *Sim) orgUsage(orgGUID string) usage {
	return s.usageWhere(func(g string) bool { sp := s.spaces[g]; return sp != nil && sp.orgGUID == orgGUID })
}

// quotaExceeded says which quota (if any) adding memory and instances to a space would break:
// "org" or "space", and "" when both hold. Callers hold s.mu.
func (s *Sim) quotaExceeded(spaceGUID string, memoryMB, instances int) string {
	sp := s.spaces[spaceGUID]
	over := func(q *quota, u usage) bool {
		return q != nil && ((q.totalMemoryMB != nil && u.memoryMB+memoryMB > *q.totalMemoryMB) ||
			(q.totalInstances != nil && u.instances+instances > *q.totalInstances))
	}
	if over(s.quotas[s.orgs[sp.orgGUID].quotaGUID], s.orgUsage(sp.orgGUID)) {
		return "org"
	}
	if sp.quotaGUID != "" && over(s.quotas[sp.quotaGUID], s.spaceUsage(spaceGUID)) {
		return "space"
	}
	return ""
}

// quotaError is the process-model validation message CC returns for starts and scales.
func quotaError(which string) *ccError {
	if which == "space" {
		return errUnprocessable("memory space_quota_exceeded")
	}
	return errUnprocessable("memory quota_exceeded")
}

// stagingQuotaError is the build-create message: staging memory counts against quotas too.
func (s *Sim) stagingQuotaError(which string, mb int) *ccError {
	owner := "organization's"
	if which == "space" {
		owner = "space's"
	}
	return errUnprocessable(fmt.Sprintf("%s memory limit exceeded: staging requires %dM memory", owner, mb))
}

func (s *Sim) getOrgUsage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	guid := r.PathValue("guid")
	if _, ok := s.orgs[guid]; !ok {
		writeError(w, errNotFound("Organization"))
		return
	}
	writeUsage(w, s.base+"/v3/organizations/"+guid, s.orgUsage(guid), "organization")
}

func (s *Sim) getSpaceUsage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	guid := r.PathValue("guid")
	if _, ok := s.spaces[guid]; !ok {
		writeError(w, errNotFound("Space"))
		return
	}
	writeUsage(w, s.base+"/v3/spaces/"+guid, s.spaceUsage(guid), "space")
}

func writeUsage(w http.ResponseWriter, self string, u usage, owner string) {
	writeJSON(w, http.StatusOK, map[string]any{
		"usage_summary": map[string]any{"started_instances": u.instances, "memory_in_mb": u.memoryMB,
			"routes": u.routes, "service_instances": 0, "reserved_ports": 0, "domains": 0,
			"per_app_tasks": 0, "service_keys": 0},
		"links": map[string]any{"self": map[string]string{"href": self + "/usage_summary"},
			owner: map[string]string{"href": self}},
	})
}
