package cfsim

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// logCacheVersion is what GET /api/v1/info claims; go-log-cache reads from /api/v1 only when
// it is 2.0.0 or later.
const logCacheVersion = "3.0.0"

// startLogCache serves Log Cache on its own listener, as a foundation serves it on its own
// host (log-cache.SYSTEM_DOMAIN): a client must take its URL from the root's log_cache link.
// The server stops when the simulator's context ends.
func (s *Sim) startLogCache() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cfsim: listen for log cache: %w", err)
	}
	s.lcURL = "http://" + ln.Addr().String()
	if s.tlsCfg != nil {
		ln, s.lcURL = tls.NewListener(ln, s.tlsCfg), "https://"+ln.Addr().String()
	}
	started := time.Now()
	srv := &http.Server{Handler: s.logCacheHandler(started), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(s.cfg.Log, "cfsim log cache: ", 0)}
	s.goLoop(func(ctx context.Context) {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	})
	s.goLoop(func(context.Context) {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(s.cfg.Log, "cfsim: log cache server: %v\n", err)
		}
	})
	return nil
}

// logCacheHandler is the cf-auth-proxy in front of the gateway: /api/v1/info is open, every
// other path needs a valid UAA token and answers 404 with an empty body when it is missing
// or bad, or when the caller may not read the source id.
func (s *Sim) logCacheHandler(started time.Time) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/info", func(w http.ResponseWriter, _ *http.Request) {
		uptime := strconv.Itoa(int(time.Since(started).Seconds()))
		writeLogCacheJSON(w, http.StatusOK, map[string]string{"version": logCacheVersion, "vm_uptime": uptime})
	})
	mux.HandleFunc("GET /api/v1/read/{source_id...}", s.logCacheAuth(s.readLogCache))
	mux.HandleFunc("GET /api/v1/meta", s.logCacheAuth(s.logCacheMeta))
	mux.HandleFunc("GET /api/v1/query", s.promqlHandler(false))
	mux.HandleFunc("GET /api/v1/query_range", s.promqlHandler(true))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	return s.faults.middleware(mux)
}

// logCacheAuth checks the bearer token as the auth proxy does. The simulator's tokens carry
// no logs.admin or doppler.firehose scope, so every caller is an ordinary user: it may read a
// source id when GET /v3/apps/<id> would answer 200.
func (s *Sim) logCacheAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "bearer") || !s.uaa.valid(token) {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if id := r.PathValue("source_id"); id != "" && !s.mayReadSource(id) {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		next(w, r)
	}
}

func (s *Sim) mayReadSource(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.apps[id]
	return ok
}

// writeLogCacheJSON writes a body followed by a newline, as the gateway's marshaler does.
func writeLogCacheJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// logCacheMeta lists the source ids the caller may read with their envelope counts and
// timestamps, in protojson's default (camelCase, int64 as strings, zero values left out).
func (s *Sim) logCacheMeta(w http.ResponseWriter, _ *http.Request) {
	type metaInfo struct {
		Count           string `json:"count,omitempty"`
		Expired         string `json:"expired,omitempty"`
		OldestTimestamp string `json:"oldestTimestamp,omitempty"`
		NewestTimestamp string `json:"newestTimestamp,omitempty"`
	}
	s.mu.Lock()
	meta := map[string]metaInfo{}
	for id, buf := range s.logs {
		if _, ok := s.apps[id]; !ok || len(buf.entries) == 0 {
			continue
		}
		meta[id] = metaInfo{Count: strconv.Itoa(len(buf.entries)), Expired: nonZero(buf.expired),
			OldestTimestamp: strconv.FormatInt(buf.entries[0].ts, 10),
			NewestTimestamp: strconv.FormatInt(buf.entries[len(buf.entries)-1].ts, 10)}
	}
	s.mu.Unlock()
	writeLogCacheJSON(w, http.StatusOK, map[string]any{"meta": meta})
}

func nonZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
