package cfsim

import "net/http"

// routeServices wires the marketplace, service instances and credential bindings.
func (s *Sim) routeServices(mux *http.ServeMux) {
	s.routeServiceCatalog(mux)
	s.routeServiceInstances(mux)
	s.routeServiceBindings(mux)
}
