package main

import (
	"io"
	"net/http"
	"strings"
)

// exposedEnv names the variables GET /env/NAME reveals: the ones the platform writes, so tests
// can see what a running instance was started with (bindings reach an app only through
// VCAP_SERVICES, and only in instances started after the binding).
var exposedEnv = []string{"VCAP_SERVICES", "VCAP_APPLICATION"}

// readExposedEnv keeps the exposed variables that are set, as they were at start.
func readExposedEnv(getenv func(string) string) map[string]string {
	env := map[string]string{}
	for _, name := range exposedEnv {
		if v := getenv(name); v != "" {
			env[name] = v
		}
	}
	return env
}

// serveEnv answers /env/NAME with the variable's value, 404 when it is not exposed or not set.
func (c config) serveEnv(w http.ResponseWriter, r *http.Request) {
	c.identify(w, r)
	name := strings.TrimPrefix(r.URL.Path, "/env/")
	v, ok := c.env[name]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, name+" is not set or not exposed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, v)
}
