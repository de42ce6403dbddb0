package main

import (
	"io"
	"net/http"
)

// newHandler answers every path with the version, /health with the health switch and /env/NAME
// with the platform variable NAME.
func newHandler(c config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", c.health)
	mux.HandleFunc("/env/", c.serveEnv)
	mux.HandleFunc("/", c.serveVersion)
	return mux
}

func (c config) serveVersion(w http.ResponseWriter, r *http.Request) {
	c.identify(w, r)
	w.WriteHeader(c.status)
	_, _ = io.WriteString(w, "version="+c.version)
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
