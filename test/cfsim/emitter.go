package cfsim

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// routeTable is the routing table the route-emitter wants the routers to hold:
// lower-cased URI -> endpoint address -> endpoint.
type routeTable map[string]map[string]router.Endpoint

// resync is how often convergence and emission run without being kicked.
const resync = 250 * time.Millisecond

// convergeLoop plays Diego's convergence and the route-emitter: after every state change
// (and on a short resync tick) it starts and stops instances, then publishes the routing
// changes. Routers apply them after their own lag.
func (s *Sim) convergeLoop(ctx context.Context) {
	emitted := routeTable{}
	tick := time.NewTicker(resync)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-tick.C:
		}
		s.mu.Lock()
		s.converge()
		want := s.desiredRoutes()
		s.mu.Unlock()
		publishDiff(s.fleet, emitted, want)
		emitted = want
	}
}

// desiredRoutes computes the table from CC's mappings and Diego's instances: an endpoint for
// every RUNNING, routable instance of every started process whose app and type are mapped
// to the route (docs/platform/routing.md#how-a-mapping-reaches-the-router,
// docs/platform/propagation-and-gorouter.md#the-route-emitter). Callers hold s.mu.
func (s *Sim) desiredRoutes() routeTable {
	table := routeTable{}
	for _, rt := range s.routes {
		if s.domains[rt.domainGUID].internal {
			continue // internal routes go to service discovery, never to the gorouters
		}
		uri := strings.ToLower(s.routeURL(rt))
		for _, d := range rt.destinations {
			for _, p := range s.appProcesses(d.appGUID, d.processType) {
				if !s.shouldRun(p) {
					continue
				}
				for idx, inst := range s.instances[p.guid] {
					if inst.state != "RUNNING" || !inst.routable {
						continue
					}
					if table[uri] == nil {
						table[uri] = map[string]router.Endpoint{}
					}
					addr := "127.0.0.1:" + strconv.Itoa(inst.port)
					table[uri][addr] = router.Endpoint{Address: addr, AppGUID: p.appGUID, ProcessGUID: p.guid,
						Index: idx, InstanceGUID: inst.guid}
				}
			}
		}
	}
	return table
}

// publishDiff sends router.unregister for what went away and router.register for what is
// new, in a stable order.
func publishDiff(fleet *router.Fleet, old, want routeTable) {
	for _, uri := range sortedKeys(old) {
		for _, addr := range sortedKeys(old[uri]) {
			if _, ok := want[uri][addr]; !ok {
				fleet.Publish(router.Message{Register: false, URI: uri, Endpoint: old[uri][addr]})
			}
		}
	}
	for _, uri := range sortedKeys(want) {
		for _, addr := range sortedKeys(want[uri]) {
			if prev, ok := old[uri][addr]; !ok || prev != want[uri][addr] {
				fleet.Publish(router.Message{Register: true, URI: uri, Endpoint: want[uri][addr]})
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
