package main

import (
	"io"
	"net/http"
	"sync/atomic"
)

// newHandler answers every path with the version, /health with the health switch and /env/NAME
// with the platform variable NAME.
func newHandler(c config) http.Handler {
	c.served = new(atomic.Int64)
	mux := http.NewServeMux()
	mux.HandleFunc("/health", c.health)
	mux.HandleFunc("/env/", c.serveEnv)
	mux.HandleFunc("/", c.serveVersion)
	return mux
}

// serveVersion answers the version, after LATENCY, with 500 for ERROR_RATE of the requests.
func (c config) serveVersion(w http.ResponseWriter, r *http.Request) {
	c.identify(w, r)
	if c.latency > 0 && !sleep(r.Context(), c.latency) {
		return // the client is gone
	}
	if c.failThis() {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "version="+c.version+": error injected by ERROR_RATE")
		return
	}
	w.WriteHeader(c.status)
	_, _ = io.WriteString(w, "version="+c.version)
}

// failThis counts the request and reports whether it is one ERROR_RATE fails: the nth fails
// when n×rate crosses a whole number, so the share is exact at every multiple of 1/rate and the
// errors are spread evenly (0.05: the 20th, 40th, ...), which the integration specs count on.
func (c config) failThis() bool {
	if c.errorPPM == 0 {
		return false
	}
	n := c.served.Add(1)
	return n*c.errorPPM/1e6 > (n-1)*c.errorPPM/1e6
}

func (c config) health(w http.ResponseWriter, r *http.Request) {
	c.identify(w, r)
	if c.healthFail {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "unhealthy")
		return
	}
	_, _ = io.WriteString(w, "ok")
}

// identify says which version and instance answered, and which instance the router meant to
// reach (the X-CF-* headers gorouter adds), so tests can check routing end to end.
func (c config) identify(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-App-Version", c.version)
	setIfPresent(h, "X-Served-By-App", r.Header.Get("X-CF-ApplicationID"))
	setIfPresent(h, "X-Served-By-Index", r.Header.Get("X-CF-InstanceIndex"))
	setIfPresent(h, "X-Instance-Index", c.instanceIndex)
	setIfPresent(h, "X-Instance-Guid", c.instanceGUID)
}

func setIfPresent(h http.Header, name, value string) {
	if value != "" {
		h.Set(name, value)
	}
}
