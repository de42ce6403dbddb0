package cfsim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// manifestRoute is one entry of a manifest's routes: the URL, the destination protocol and
// the route's options.
type manifestRoute struct {
	Route    string `yaml:"route"`
	Protocol string `yaml:"protocol"`
	Options  any    `yaml:"options"`
}

// applyRoutes maps the manifest's routes (creating them if needed) and never unmaps others:
// apply_manifest is additive. no-route unmaps every route of the app; random-route and
// default-route add a route only to an app that has none
// (docs/platform/routing.md#manifest-routes-random-route-default-route-and-no-route).
func (s *Sim) applyRoutes(ma manifestApp, a *app) *ccError {
	if ma.NoRoute {
		for _, rt := range s.routes {
			rt.destinations = keepDestinations(rt.destinations, func(d *destination) bool { return d.appGUID != a.guid })
		}
		s.changed()
		return nil
	}
	routes := ma.Routes
	if routes == nil && len(s.appURIs(a.guid)) == 0 {
		switch {
		case ma.RandomRoute:
			routes = []manifestRoute{{Route: a.name + "-" + randomRouteWords() + "." + s.sharedDomain().name}}
		case ma.DefaultRoute:
			if err := defaultRouteName(a.name); err != nil {
				return err
			}
			routes = []manifestRoute{{Route: a.name + "." + s.sharedDomain().name}}
		}
	}
	for _, r := range routes {
		if err := s.mapManifestRoute(a, r); err != nil {
			return err
		}
	}
	return nil
}

// forRoute prefixes the errors CC reports with the route they concern (route creation and
// destination errors; an unknown domain or a route of another space are not prefixed).
func forRoute(mr manifestRoute, err *ccError) *ccError {
	return errUnprocessable(fmt.Sprintf("For route '%s': %s", mr.Route, err.Detail))
}

// defaultRouteName refuses app names that cannot be a host, as CC does for default-route.
func defaultRouteName(name string) *ccError {
	const prefix = "Failed to create default route from app name: "
	if len(name) > 63 {
		return errUnprocessable(prefix + "Host cannot exceed 63 characters")
	}
	if !hostPattern.MatchString(name) || name == "*" {
		return errUnprocessable(prefix + `Host must be either "*" or contain only alphanumeric characters, "_", or "-"`)
	}
	return nil
}

// mapManifestRoute finds or creates the route and maps the app's web process. An existing
// route in the space gets the manifest's options merged in; an existing mapping whose
// protocol differs from the manifest's is replaced, and, as in CC, that replaces every
// destination of the route with this app's web process.
func (s *Sim) mapManifestRoute(a *app, mr manifestRoute) *ccError {
	rt, err := s.manifestRouteFor(a, mr)
	if err != nil {
		return err
	}
	if mr.Protocol == "tcp" {
		return forRoute(mr, errUnprocessable("Cannot use 'tcp' protocol for http routes; valid options are: [http1, http2]."))
	}
	dest := &destination{guid: newGUID(), appGUID: a.guid, processType: "web", port: 8080, protocol: "http1", created: time.Now()}
	if mr.Protocol != "" {
		dest.protocol = mr.Protocol
	}
	var existing *destination
	for _, d := range rt.destinations {
		if d.appGUID == a.guid && existing == nil {
			existing = d
		}
	}
	switch {
	case existing == nil:
		rt.destinations = append(rt.destinations, dest)
		data := routeEventData(rt, dest)
		data["manifest_triggered"] = true
		s.recordAppEvent("audit.app.map-route", a, data)
	case mr.Protocol != "" && mr.Protocol != existing.protocol:
		old := rt.destinations
		rt.destinations = []*destination{dest}
		s.recordReplacedDestinations(rt, old)
	}
	rt.updated = time.Now()
	s.changed()
	return nil
}

// manifestRouteFor finds the route a manifest names, or creates it in the app's space.
func (s *Sim) manifestRouteFor(a *app, mr manifestRoute) (*route, *ccError) {
	host, d, path := s.splitURL(mr.Route)
	if d == nil {
		return nil, errUnprocessable("No domains exist for route " + mr.Route)
	}
	rt := s.findRoute(d.guid, host, path)
	if rt == nil {
		var err *ccError
		if rt, err = s.newRoute(host, path, d.guid, a.spaceGUID); err != nil {
			return nil, forRoute(mr, err)
		}
		rt.options = mergeRouteOptions(nil, manifestOptions(mr))
		return rt, nil
	}
	if rt.spaceGUID != a.spaceGUID {
		return nil, errUnprocessable("Routes cannot be mapped to destinations in different spaces")
	}
	if opts := manifestOptions(mr); opts != nil {
		rt.options = mergeRouteOptions(rt.options, opts)
	}
	return rt, nil
}

// splitURL splits "host.domain/path" as CC's manifest route parser does: the whole host
// part as a domain (with an empty host) first, then the first label as the host and the
// rest as the domain.
func (s *Sim) splitURL(url string) (string, *domain, string) {
	url = strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://")
	hostPart, path := url, ""
	if i := strings.Index(url, "/"); i >= 0 {
		hostPart, path = url[:i], url[i:]
	}
	if d := s.domainNamed(hostPart); d != nil && !strings.HasPrefix(hostPart, "*") {
		return "", d, path
	}
	host, rest, ok := strings.Cut(hostPart, ".")
	if !ok {
		return "", nil, ""
	}
	return host, s.domainNamed(rest), path
}

func (s *Sim) domainNamed(name string) *domain {
	for _, d := range s.domains {
		if strings.EqualFold(d.name, name) {
			return d
		}
	}
	return nil
}

// randomRouteWords is CC's random route suffix: adjective-noun-two letters.
func randomRouteWords() string {
	adjectives := []string{"brave", "calm", "daring", "eager", "fuzzy", "gentle", "happy", "jolly",
		"keen", "lucky", "mellow", "nimble", "patient", "quiet", "rapid", "shiny", "tidy", "wise"}
	nouns := []string{"badger", "camel", "dolphin", "egret", "ferret", "gecko", "heron", "ibis",
		"jackal", "koala", "lemur", "marmot", "narwhal", "otter", "panda", "quokka", "raven", "walrus"}
	letters := string([]byte{byte('a' + rand.IntN(26)), byte('a' + rand.IntN(26))})
	return adjectives[rand.IntN(len(adjectives))] + "-" + nouns[rand.IntN(len(nouns))] + "-" + letters
}

// manifestRoutes is the routes part of the app's generated manifest: one entry per mapping,
// sorted by URL, with the destination's protocol and the route's options (nil = none).
func (s *Sim) manifestRoutes(a *app) []map[string]any {
	var out []map[string]any
	for _, rt := range s.routes {
		for _, d := range rt.destinations {
			if d.appGUID != a.guid {
				continue
			}
			entry := map[string]any{"route": s.routeURL(rt), "protocol": d.protocol}
			if rt.options != nil {
				opts := map[string]any{}
				if lb, ok := rt.options["loadbalancing"]; ok {
					opts["loadbalancing"] = lb
				}
				entry["options"] = opts
			}
			out = append(out, entry)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.ToLower(out[i]["route"].(string)) < strings.ToLower(out[j]["route"].(string))
	})
	return out
}
