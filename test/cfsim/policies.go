package cfsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The policy server's external API (container-to-container network policies), at the
// network_policy_v1 link the root advertises. Every valid UAA token is a network admin, so
// neither the space-developer checks nor the policy quota apply.

// netPolicy is one policy as the policy server stores it.
type netPolicy struct {
	Source      policySource      `json:"source"`
	Destination policyDestination `json:"destination"`
}

type policySource struct {
	ID  string `json:"id"`
	Tag string `json:"tag,omitempty"`
}

type policyDestination struct {
	ID       string      `json:"id"`
	Tag      string      `json:"tag,omitempty"`
	Protocol string      `json:"protocol"`
	Ports    policyPorts `json:"ports"`
}

type policyPorts struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

type policiesPayload struct {
	TotalPolicies int         `json:"total_policies"`
	Policies      []netPolicy `json:"policies"`
}

// defaultPolicyCleanup is the policy server's policy_cleanup_interval: policies of deleted
// apps stay listed until the cleaner runs (CC does not remove them).
const defaultPolicyCleanup = 60 * time.Minute

// networkingHandler serves /networking/v1/external/... with the policy server's own
// authentication errors and JSON bodies.
func (s *Sim) networkingHandler() http.Handler {
	mux := http.NewServeMux()
	for _, v := range []string{"v0", "v1"} {
		base := "/networking/" + v + "/external/policies"
		mux.HandleFunc("GET "+base, s.listPolicies)
		mux.HandleFunc("POST "+base, s.createPolicies)
		mux.HandleFunc("POST "+base+"/delete", s.deletePolicies)
		mux.HandleFunc("POST "+base+"/cleanup", s.cleanupPolicies)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	})
	return s.policyAuth(mux)
}

func (s *Sim) policyAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			w.Header().Add("WWW-Authenticate", "Bearer")
			policyError(w, http.StatusUnauthorized, "missing authorization header")
			return
		}
		token := strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "bearer ")
		if !s.uaa.valid(token) {
			w.Header().Add("WWW-Authenticate", "Bearer")
			policyError(w, http.StatusUnauthorized, "failed to verify token with uaa")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func policyError(w http.ResponseWriter, status int, description string) {
	w.WriteHeader(status)
	msg, _ := json.Marshal(description)
	fmt.Fprintf(w, `{"error": %s}`, msg)
}

func writePolicies(w http.ResponseWriter, policies []netPolicy) {
	out := make([]netPolicy, len(policies))
	for i, p := range policies {
		p.Source.Tag, p.Destination.Tag = "", "" // the index never shows tags
		out[i] = p
	}
	writeJSON(w, http.StatusOK, policiesPayload{TotalPolicies: len(out), Policies: out})
}

// listPolicies filters as the policy server does: id= matches source or destination;
// source_id= and dest_id= together need both to match. Only the first occurrence of each
// parameter counts, split on commas.
func (s *Sim) listPolicies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids, src, dst := listFilter(q, "id"), listFilter(q, "source_id"), listFilter(q, "dest_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []netPolicy
	for _, p := range s.policies {
		inSrc, inDst := contains(src, p.Source.ID), contains(dst, p.Destination.ID)
		keep := true
		switch {
		case len(ids) > 0:
			keep = contains(ids, p.Source.ID) || contains(ids, p.Destination.ID)
		case len(src) > 0 && len(dst) > 0:
			keep = inSrc && inDst
		case len(src) > 0:
			keep = inSrc
		case len(dst) > 0:
			keep = inDst
		}
		if keep {
			out = append(out, p)
		}
	}
	writePolicies(w, out)
}

func contains(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

// createPolicies adds policies; one that exists already is not added twice.
func (s *Sim) createPolicies(w http.ResponseWriter, r *http.Request) {
	policies, ok := readPolicies(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range policies {
		if !contains(policyKeys(s.policies), policyKey(p)) {
			s.policies = append(s.policies, p)
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "{}")
}

// deletePolicies removes the policies given; ones that do not exist are ignored.
func (s *Sim) deletePolicies(w http.ResponseWriter, r *http.Request) {
	policies, ok := readPolicies(w, r)
	if !ok {
		return
	}
	gone := policyKeys(policies)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepPolicies(func(p netPolicy) bool { return !contains(gone, policyKey(p)) })
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "{}")
}

// cleanupPolicies deletes the policies of apps that no longer exist, and lists them.
func (s *Sim) cleanupPolicies(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writePolicies(w, s.removeStalePolicies())
}

// removeStalePolicies is the policy server's cleaner. Callers hold s.mu.
func (s *Sim) removeStalePolicies() []netPolicy {
	return s.keepPolicies(func(p netPolicy) bool {
		return s.apps[p.Source.ID] != nil && s.apps[p.Destination.ID] != nil
	})
}

// keepPolicies keeps the policies keep accepts and returns the others. Callers hold s.mu.
func (s *Sim) keepPolicies(keep func(netPolicy) bool) []netPolicy {
	var kept, removed []netPolicy
	for _, p := range s.policies {
		if keep(p) {
			kept = append(kept, p)
		} else {
			removed = append(removed, p)
		}
	}
	s.policies = kept
	return removed
}

// policyCleanerLoop runs the cleaner every PolicyCleanup.
func (s *Sim) policyCleanerLoop(ctx context.Context) {
	every := s.cfg.PolicyCleanup
	if every <= 0 {
		every = defaultPolicyCleanup
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.mu.Lock()
			s.removeStalePolicies()
			s.mu.Unlock()
		}
	}
}

func policyKey(p netPolicy) string {
	return fmt.Sprintf("%s|%s|%s|%d|%d", p.Source.ID, p.Destination.ID, p.Destination.Protocol,
		p.Destination.Ports.Start, p.Destination.Ports.End)
}

func policyKeys(ps []netPolicy) []string {
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = policyKey(p)
	}
	return keys
}

// readPolicies reads a {"policies":[...]} body and validates it as the policy server does,
// answering 400 {"error":"mapper: ..."} for the first problem.
func readPolicies(w http.ResponseWriter, r *http.Request) ([]netPolicy, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		policyError(w, http.StatusBadRequest, "failed reading request body")
		return nil, false
	}
	var payload policiesPayload
	if err := json.Unmarshal(body, &payload); err != nil {
		policyError(w, http.StatusBadRequest, "mapper: unmarshal json: "+err.Error())
		return nil, false
	}
	if err := validatePolicies(payload.Policies); err != nil {
		policyError(w, http.StatusBadRequest, "mapper: validate policies: "+err.Error())
		return nil, false
	}
	return payload.Policies, true
}

func validatePolicies(policies []netPolicy) error {
	if len(policies) == 0 {
		return errors.New("missing policies")
	}
	for _, p := range policies {
		d := p.Destination
		switch {
		case p.Source.ID == "":
			return errors.New("missing source id")
		case d.ID == "":
			return errors.New("missing destination id")
		case d.Protocol != "udp" && d.Protocol != "tcp":
			return errors.New("invalid destination protocol, specify either udp or tcp")
		case d.Ports.Start > d.Ports.End:
			return fmt.Errorf("invalid port range %d-%d, start must be less than or equal to end", d.Ports.Start, d.Ports.End)
		case d.Ports.Start < 0:
			return fmt.Errorf("invalid start port %d, must be in range 1-65535", d.Ports.Start)
		case d.Ports.Start == 0:
			return errors.New("missing start port")
		case d.Ports.End > 65535:
			return fmt.Errorf("invalid end port %d, must be in range 1-65535", d.Ports.End)
		case p.Source.Tag != "" || d.Tag != "":
			return errors.New("tags may not be specified")
		}
	}
	return nil
}
