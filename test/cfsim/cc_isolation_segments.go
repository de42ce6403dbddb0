package cfsim

import "net/http"

// cfsim has no isolation segments: none is listed or entitled, and orgs and spaces have no
// default one (cf org and cf space read these).
func (s *Sim) routeIsolationSegments(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/isolation_segments", func(w http.ResponseWriter, r *http.Request) {
		writeList(w, r, s.base, []any{})
	})
	mux.HandleFunc("GET /v3/organizations/{guid}/relationships/default_isolation_segment", s.getOrgIsolationSegment)
	mux.HandleFunc("GET /v3/spaces/{guid}/relationships/isolation_segment", s.getSpaceIsolationSegment)
}

func (s *Sim) getOrgIsolationSegment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, ok := s.orgs[r.PathValue("guid")]
	s.mu.Unlock()
	if !ok {
		writeError(w, errNotFound("Organization"))
		return
	}
	self := "/v3/organizations/" + r.PathValue("guid") + "/relationships/default_isolation_segment"
	writeJSON(w, http.StatusOK, map[string]any{"data": nil, "links": map[string]any{"self": link(s.base, self)}})
}

func (s *Sim) getSpaceIsolationSegment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, ok := s.spaces[r.PathValue("guid")]
	s.mu.Unlock()
	if !ok {
		writeError(w, errNotFound("Space"))
		return
	}
	self := "/v3/spaces/" + r.PathValue("guid") + "/relationships/isolation_segment"
	writeJSON(w, http.StatusOK, map[string]any{"data": nil, "links": map[string]any{"self": link(s.base, self)}})
}
