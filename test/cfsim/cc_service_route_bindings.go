package cfsim

import "net/http"

// serviceRouteBindingsQuery is CC's service route bindings list message.
var serviceRouteBindingsQuery = listQuery{
	params:  []string{"service_instance_guids", "service_instance_names", "route_guids", "include", "label_selector"},
	include: []string{"route", "service_instance"},
}

// listServiceRouteBindings answers GET /v3/service_route_bindings: cfsim has no route
// services, so the list is always empty, with CC's pagination and filters checked.
func (s *Sim) listServiceRouteBindings(w http.ResponseWriter, r *http.Request) {
	if err := serviceRouteBindingsQuery.check(r.URL.Query()); err != nil {
		writeError(w, err)
		return
	}
	writeList(w, r, s.base, []any{})
}
