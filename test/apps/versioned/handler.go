package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// maxDelay bounds ?delay=, so a request cannot hold an instance for long.
const maxDelay = time.Minute

// newHandler answers every path with the version, /health with the health switch and /env/NAME
// with the platform variable NAME.
func newHandler(c config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", c.health)
	mux.HandleFunc("/env/", c.serveEnv)
	mux.HandleFunc("/", c.serveVersion)
	return mux
}

// serveVersion answers the version with STATUS, or with ?status= when the request gives one,
// after waiting ?delay= (a duration such as 200ms) when it gives one: what a router measures of
// the request then depends on the request alone.
func (c config) serveVersion(w http.ResponseWriter, r *http.Request) {
	c.identify(w, r)
	status, delay, err := c.perRequest(r.URL.Query())
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, err.Error())
		return
	}
	if !sleep(r.Context(), delay) {
		return // the client gave up
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "version="+c.version)
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
