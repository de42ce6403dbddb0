package probe

import (
	"fmt"
	"net/http"
)

// Gorouter's markers of who produced a response
// (docs/platform/propagation-and-gorouter.md#gorouter).
const (
	headerRouterError = "X-Cf-Routererror"  // on every error page gorouter writes itself
	headerRequestID   = "X-Vcap-Request-Id" // on every response gorouter proxied from an app
	unknownRoute      = "unknown_route"
	noEndpoints       = "no_endpoints"
)

// observation is one probe's answer reduced to what verification decides on.
type observation struct {
	status      int
	routerError string // X-Cf-Routererror: gorouter answered itself
	proxied     bool   // X-Vcap-Request-Id without X-Cf-Routererror: an app answered
	sought      bool   // Marker mode: marker says whether the response carried it
	marker      bool
	err         error // no answer at all
}

func observe(rep reply, err error, m *Marker) observation {
	if err != nil {
		return observation{err: err}
	}
	o := observation{status: rep.status, routerError: rep.header.Get(headerRouterError)}
	o.proxied = o.routerError == "" && rep.header.Get(headerRequestID) != ""
	o.sought = m != nil
	o.marker = o.sought && m.matches(rep.header, rep.body)
	return o
}

// answered: the app itself answered. Any status counts, since even a 5xx shows the router sends
// requests to it; healthy narrows that.
func (o observation) answered() bool { return o.err == nil && o.proxied }

func (o observation) healthy() bool { return o.answered() && o.status < http.StatusInternalServerError }

// gone: gorouter says the route (or, with an instance header, that instance) has no such backend.
// An emptied pool answers 503 no_endpoints where operators keep empty pools
// (docs/platform/propagation-and-gorouter.md#empty-pools-404-or-503): that too means nothing is
// left to answer.
func (o observation) gone() bool {
	switch {
	case o.err != nil:
		return false
	case o.routerError == unknownRoute:
		return o.status == http.StatusBadRequest || o.status == http.StatusNotFound
	case o.routerError == noEndpoints:
		return o.status == http.StatusServiceUnavailable
	}
	return false
}

// String is how an observation appears in errors and progress lines.
func (o observation) String() string {
	switch {
	case o.err != nil:
		return fmt.Sprintf("no answer (%v)", o.err)
	case o.routerError != "":
		return fmt.Sprintf("%d X-Cf-Routererror: %s", o.status, o.routerError)
	case !o.proxied:
		return fmt.Sprintf("%d not proxied by a gorouter (no X-Cf-Routererror nor X-Vcap-Request-Id)", o.status)
	case o.sought && o.marker:
		return fmt.Sprintf("%d from the app, with the marker", o.status)
	case o.sought:
		return fmt.Sprintf("%d from the app, without the marker", o.status)
	}
	return fmt.Sprintf("%d from the app", o.status)
}
