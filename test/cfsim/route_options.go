package cfsim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Route options as CC validates them with the hash_based_routing feature flag off (its
// default): loadbalancing only, round-robin or least-connection. The routers keep the
// options but balance round-robin whatever they say.
var loadBalancers = []string{"round-robin", "least-connection"}

// routeOptionKeys are the keys CC's route options message knows; the hash ones are refused
// as unknown while hash_based_routing is off.
var routeOptionKeys = []string{"loadbalancing", "hash_header", "hash_balance"}

// parseRouteOptions validates the options of a route create or update. A key whose value is
// null is removed when the options are merged into the route's (CC drops nil values).
func parseRouteOptions(raw json.RawMessage) (map[string]*string, *ccError) {
	var opts map[string]any
	if err := json.Unmarshal(raw, &opts); err != nil || opts == nil {
		return nil, errUnprocessable("Options 'options' is not a valid object")
	}
	var msgs, unknown, flagged []string
	for _, k := range sortedKeys(opts) {
		switch {
		case !slices.Contains(routeOptionKeys, k):
			unknown = append(unknown, k)
		case k != "loadbalancing" && !blank(opts[k]):
			flagged = append(flagged, k)
		}
	}
	if len(unknown) > 0 {
		msgs = append(msgs, "Options Unknown field(s): '"+strings.Join(unknown, "', '")+"'")
	}
	if lb := opts["loadbalancing"]; !blank(lb) && !validLoadBalancer(lb) {
		msgs = append(msgs, "Options Loadbalancing must be one of '"+strings.Join(loadBalancers, ", ")+"' if present")
	}
	if len(flagged) > 0 {
		msgs = append(msgs, "Options Unknown field(s): '"+strings.Join(flagged, "', '")+"'")
	}
	if len(msgs) > 0 {
		return nil, errUnprocessable(strings.Join(msgs, ", "))
	}
	out := map[string]*string{}
	if lb, ok := opts["loadbalancing"].(string); ok {
		out["loadbalancing"] = &lb
	} else if _, ok := opts["loadbalancing"]; ok {
		out["loadbalancing"] = nil
	}
	return out, nil
}

func validLoadBalancer(v any) bool {
	s, ok := v.(string)
	return ok && slices.Contains(loadBalancers, s)
}

// blank is Ruby's blank?: nil, false, or an empty or all-space string.
func blank(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case string:
		return strings.TrimSpace(t) == ""
	}
	return false
}

// mergeRouteOptions merges parsed options into a route's (PATCH merges,
// docs/platform/routing.md#route-options).
// Every route has options, {} when none were given, as CC has stored them since routes
// got options.
func mergeRouteOptions(current map[string]string, patch map[string]*string) map[string]string {
	out := copyMap(current)
	merge(out, patch)
	return out
}

// validateManifestRoutes checks manifest routes as CC's manifest routes message does; the
// texts are those CC prefixes with "For application '<name>': ".
func validateManifestRoutes(routes []manifestRoute) []string {
	var msgs []string
	for _, r := range routes {
		if r.Protocol != "" && !slices.Contains([]string{"http1", "http2", "tcp"}, r.Protocol) {
			msgs = append(msgs, "Route protocol must be 'http1', 'http2' or 'tcp'.")
		}
	}
	valid := "Valid values are: '" + strings.Join(loadBalancers, ", ") + "'"
	for _, r := range routes {
		if r.Options == nil {
			continue
		}
		opts, ok := r.Options.(map[string]any)
		if !ok {
			msgs = append(msgs, fmt.Sprintf("Route '%s': options must be an object", r.Route))
			continue
		}
		for _, k := range sortedKeys(opts) {
			if k != "loadbalancing" {
				msgs = append(msgs, fmt.Sprintf("Route '%s' contains invalid route option '%s'. Valid keys: 'loadbalancing'", r.Route, k))
			}
		}
		lb, has := opts["loadbalancing"]
		if s, isString := lb.(string); has && !isString {
			msgs = append(msgs, fmt.Sprintf("Invalid value for 'loadbalancing' for Route '%s'; %s", r.Route, valid))
		} else if has && !slices.Contains(loadBalancers, s) {
			msgs = append(msgs, fmt.Sprintf("Cannot use loadbalancing value '%s' for Route '%s'; %s", s, r.Route, valid))
		}
	}
	return msgs
}

// manifestOptions is the options patch a valid manifest route carries (nil = none).
func manifestOptions(r manifestRoute) map[string]*string {
	opts, _ := r.Options.(map[string]any)
	lb, ok := opts["loadbalancing"].(string)
	if !ok {
		return nil
	}
	return map[string]*string{"loadbalancing": &lb}
}
