package cfsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// The knobs, from Go. Each has an admin endpoint under /sim/ for the cfsim program.

// AddFault installs a fault rule for CC and UAA requests.
func (s *Sim) AddFault(f Fault) error { return s.faults.Add(f) }

// ClearFaults removes every fault rule.
func (s *Sim) ClearFaults() { s.faults.Clear() }

// Requests returns the CC and UAA requests seen so far.
func (s *Sim) Requests() []Request { return s.reqs.all() }

// ResetRequests empties the request log.
func (s *Sim) ResetRequests() { s.reqs.reset() }

// SetTokenTTL changes the lifetime of access tokens issued from now on.
func (s *Sim) SetTokenTTL(d time.Duration) { s.uaa.SetTTL(d) }

// SetRouterLag sets one router's registration and removal lags to d.
func (s *Sim) SetRouterLag(i int, d time.Duration) {
	s.fleet.SetLag(i, d)
	s.fleet.SetRemovalLag(i, d)
}

// RouteEvents returns every registration and removal as each router applied it.
func (s *Sim) RouteEvents() []router.Event { return s.fleet.Events() }

// adminHandler serves the knobs over HTTP for the cfsim program and other languages.
func (s *Sim) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sim/requests", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Requests())
	})
	mux.HandleFunc("DELETE /sim/requests", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /sim/faults", s.postFault)
	mux.HandleFunc("DELETE /sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /sim/routers", s.getRouters)
	mux.HandleFunc("GET /sim/internal-names/{name}", s.getInternalName)
	mux.HandleFunc("PUT /sim/routers/{index}/lag", s.putRouterLag)
	mux.HandleFunc("GET /sim/route-events", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.RouteEvents())
	})
	mux.HandleFunc("PUT /sim/token-ttl", s.putDuration(s.SetTokenTTL))
	mux.HandleFunc("PUT /sim/deployment-interval", s.putDuration(s.SetDeploymentInterval))
	mux.HandleFunc("PUT /sim/quotas", s.putQuotas)
	mux.HandleFunc("GET /sim/logs/{app}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.RecentLogs(r.PathValue("app")))
	})
	return mux
}

// adminFault is Fault with its latency written as a Go duration ("250ms").
type adminFault struct {
	Fault
	Latency string `json:"latency"`
}

func (s *Sim) postFault(w http.ResponseWriter, r *http.Request) {
	var f adminFault
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		http.Error(w, "bad fault: "+err.Error(), http.StatusBadRequest)
		return
	}
	if f.Latency != "" {
		d, err := time.ParseDuration(f.Latency)
		if err != nil {
			http.Error(w, "bad latency: "+err.Error(), http.StatusBadRequest)
			return
		}
		f.Fault.Latency = d
	}
	if err := s.AddFault(f.Fault); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Sim) getRouters(w http.ResponseWriter, _ *http.Request) {
	var out []map[string]string
	for i, u := range s.fleet.RouterURLs() {
		out = append(out, map[string]string{"url": u, "lag": s.fleet.Lags()[i].String(),
			"removal_lag": s.fleet.RemovalLags()[i].String()})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) putRouterLag(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(r.PathValue("index"))
	if err != nil || i < 0 || i >= len(s.fleet.RouterURLs()) {
		http.Error(w, "no such router", http.StatusNotFound)
		return
	}
	s.putDuration(func(d time.Duration) { s.SetRouterLag(i, d) })(w, r)
}

// putDuration reads {"value":"1s"} and hands it to set.
func (s *Sim) putDuration(set func(time.Duration)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Value string `json:"value"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "want {\"value\":\"<duration>\"}", http.StatusBadRequest)
			return
		}
		d, err := time.ParseDuration(body.Value)
		if err != nil || d < 0 {
			http.Error(w, "bad duration: "+body.Value, http.StatusBadRequest)
			return
		}
		set(d)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Sim) putQuotas(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Org   *QuotaLimits `json:"org"`
		Space *QuotaLimits `json:"space"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad quotas: "+err.Error(), http.StatusBadRequest)
		return
	}
	if body.Org != nil {
		s.SetOrgQuota(*body.Org)
	}
	if body.Space != nil {
		s.SetSpaceQuota(*body.Space)
	}
	w.WriteHeader(http.StatusNoContent)
}
