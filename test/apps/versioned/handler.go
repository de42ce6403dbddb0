package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// maxDelay bounds ?delay=, so a request cannot hold an instance for long.
const maxDelay = time.Minute

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

// serveVersion answers the version with STATUS, or with ?status= when the request gives one,
// after LATENCY and ?delay= (a duration such as 200ms), and with 500 for ERROR_RATE of the
// requests: what a router measures of a request depends on the request and the knobs alone.
func (c config) serveVersion(w http.ResponseWriter, r *http.Request) {
	c.identify(w, r)
	status, delay, err := c.perRequest(r.URL.Query())
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, err.Error())
		return
	}
	if !sleep(r.Context(), c.latency+delay) {
		return // the client gave up
	}
	if c.failThis() {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "version="+c.version+": error injected by ERROR_RATE")
		return
	}
	w.WriteHeader(status)
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

// perRequest reads ?status= (200 to 599; default STATUS) and ?delay= (0 to maxDelay).
func (c config) perRequest(q url.Values) (int, time.Duration, error) {
	status := c.status
	if v := q.Get("status"); v != "" {
		var err error
		if status, err = parseStatus(v); err != nil {
			return 0, 0, fmt.Errorf("status must be an HTTP status from 200 to 599, got %q", v)
		}
	}
	delay, err := parseDuration("delay", q.Get("delay"), false)
	if err == nil && delay > maxDelay {
		err = fmt.Errorf("delay must be at most %s, got %q", maxDelay, q.Get("delay"))
	}
	return status, delay, err
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
	setIfPresent(h, "X-Process-Guid", c.processGUID)
}

func setIfPresent(h http.Header, name, value string) {
	if value != "" {
		h.Set(name, value)
	}
}
