package router

import (
	"fmt"
	"net/http"
)

// Cache-Control values gorouter puts on its own error pages.
const (
	cacheNone          = "no-cache, no-store"
	cacheShortPublic   = "public,max-age=2"
	endpointFailureMsg = "Registered endpoint failed to handle the request."
)

// routerError is an error page the router itself generates (never the app's response).
type routerError struct {
	code         int
	routerError  string // X-Cf-Routererror
	cacheControl string // empty: no Cache-Control header
	message      string
}

// write renders e like gorouter's plaintext error writer: "<code> <status text>: <message>\n".
func (e routerError) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set(headerRouterError, e.routerError)
	if e.cacheControl != "" {
		h.Set("Cache-Control", e.cacheControl)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Connection")
	w.WriteHeader(e.code)
	fmt.Fprintf(w, "%d %s: %s\n", e.code, http.StatusText(e.code), e.message)
}

func emptyHostError() routerError {
	return routerError{http.StatusBadRequest, "empty_host", cacheShortPublic, "Request had empty Host header"}
}

func invalidAppInstanceError() routerError {
	return routerError{http.StatusBadRequest, "invalid_cf_app_instance_header", cacheNone,
		"Invalid X-CF-App-Instance Header"}
}

func invalidProcessInstanceError() routerError {
	return routerError{http.StatusBadRequest, "invalid_cf_process_instance_header", cacheNone,
		"Invalid X-CF-Process-Instance Header"}
}

func unknownRouteError(host string) routerError {
	return routerError{http.StatusNotFound, "unknown_route", cacheNone,
		fmt.Sprintf("Requested route ('%s') does not exist.", host)}
}

func unknownAppInstanceError(host string, t instanceTarget) routerError {
	return routerError{http.StatusBadRequest, "unknown_route", cacheNone,
		fmt.Sprintf("Requested instance ('%s') with guid ('%s') does not exist for route ('%s')", t.index, t.guid, host)}
}

func unknownProcessInstanceError(host string, t instanceTarget) routerError {
	msg := fmt.Sprintf("Requested instance ('%s') with process guid ('%s') does not exist for route ('%s')",
		t.index, t.guid, host)
	if t.index == "" {
		msg = fmt.Sprintf("Requested instance with process guid ('%s') does not exist for route ('%s')", t.guid, host)
	}
	return routerError{http.StatusBadRequest, "unknown_route", cacheNone, msg}
}

// endpointFailureError carries the original transport error in the header, as gorouter does.
func endpointFailureError(err error) routerError {
	return routerError{http.StatusBadGateway, fmt.Sprintf("endpoint_failure (%s)", err), "", endpointFailureMsg}
}
