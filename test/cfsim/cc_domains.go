package cfsim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// internalDomain is cf-deployment's internal domain: routes on it reach apps container to
// container, never through the gorouters.
const internalDomain = "apps.internal"

func (s *Sim) routeDomains(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/organizations/{guid}/domains", s.listOrgDomains)
}

// seedDomains adds the second shared domain and the internal one after the default domain,
// so the default stays the oldest and the internal domain comes last, as operators list it.
// Callers hold s.mu.
func (s *Sim) seedDomains() {
	for _, d := range []*domain{{name: s.cfg.SecondDomain}, {name: internalDomain, internal: true}} {
		d.base = s.nextBase()
		s.domains[d.guid] = d
	}
}

// listOrgDomains lists the domains an org may use: every shared domain, as for any org.
func (s *Sim) listOrgDomains(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[r.PathValue("guid")]; !ok {
		writeError(w, errNotFound("Organization"))
		return
	}
	s.writeDomains(w, r)
}

// writeDomains lists domains by names and guids. Callers hold s.mu.
func (s *Sim) writeDomains(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var items []any
	for _, d := range sorted(s.domains, func(d *domain) int64 { return d.seq }) {
		if matches(listFilter(q, "names"), d.name) && matches(listFilter(q, "guids"), d.guid) {
			items = append(items, s.presentDomain(d))
		}
	}
	writeList(w, r, s.base, items)
}

// internalRouteError refuses what CC refuses on internal domains: paths and wildcard hosts.
func internalRouteError(d *domain, host, path string) *ccError {
	if !d.internal {
		return nil
	}
	if host == "*" {
		return errUnprocessable("Wildcard hosts are not supported for internal domains.")
	}
	if path != "" {
		return errUnprocessable("Paths are not supported for internal domains.")
	}
	return nil
}

// ResolveInternal answers what the service-discovery controller would for an internal
// name: "host.apps.internal" gives the address of every RUNNING instance mapped to that
// route, "<index>.host.apps.internal" the one instance with that index. Addresses are
// loopback host:port pairs the apps listen on; cfsim serves no DNS, so tests (or an app
// told the address) connect to them directly.
func (s *Sim) ResolveInternal(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	host, ok := strings.CutSuffix(strings.ToLower(name), "."+internalDomain)
	if !ok {
		return nil
	}
	index := -1
	if first, rest, found := strings.Cut(host, "."); found {
		n, err := strconv.Atoi(first)
		if err != nil {
			return nil
		}
		index, host = n, rest
	}
	return s.internalAddresses(host, index)
}

// internalAddresses lists the instances behind host.apps.internal (index -1 = all).
// Callers hold s.mu.
func (s *Sim) internalAddresses(host string, index int) []string {
	var out []string
	for _, rt := range s.routes {
		if !s.domains[rt.domainGUID].internal || !strings.EqualFold(rt.host, host) {
			continue
		}
		for _, d := range rt.destinations {
			for _, p := range s.appProcesses(d.appGUID, d.processType) {
				for idx, inst := range s.instances[p.guid] {
					if s.shouldRun(p) && inst.state == "RUNNING" && (index < 0 || idx == index) {
						out = append(out, "127.0.0.1:"+strconv.Itoa(inst.port))
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// getInternalName serves ResolveInternal over HTTP for the cfsim program.
func (s *Sim) getInternalName(w http.ResponseWriter, r *http.Request) {
	addrs := s.ResolveInternal(r.PathValue("name"))
	if addrs == nil {
		addrs = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": r.PathValue("name"), "addresses": addrs})
}
