package cfsim

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"
)

// jobDelay is how long an asynchronous CC job waits in PROCESSING before it runs, so that
// clients really have to poll (CC runs jobs on separate workers).
const jobDelay = 50 * time.Millisecond

// startJob records a PROCESSING job and runs work under s.mu after jobDelay; the job ends
// COMPLETE, or FAILED with the errors work returns. Callers hold s.mu.
func (s *Sim) startJob(operation, spaceGUID string, work func() []*ccError) *job {
	j := &job{base: s.nextBase(), operation: operation, state: "PROCESSING", spaceGUID: spaceGUID}
	s.jobs[j.guid] = j
	s.goLoop(func(ctx context.Context) {
		select {
		case <-time.After(jobDelay):
		case <-ctx.Done():
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		j.errors = work()
		j.state, j.updated = "COMPLETE", time.Now()
		if len(j.errors) > 0 {
			j.state = "FAILED"
		}
		s.changed()
	})
	return j
}

func (s *Sim) jobURL(j *job) string { return s.base + "/v3/jobs/" + j.guid }

func (s *Sim) getJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Job"))
		return
	}
	errs := []any{}
	for _, e := range j.errors {
		errs = append(errs, e)
	}
	warnings := []any{}
	for _, wn := range j.warnings {
		warnings = append(warnings, map[string]string{"detail": wn})
	}
	links := map[string]any{"self": link(s.base, "/v3/jobs/"+j.guid)}
	if j.spaceGUID != "" {
		links["space"] = link(s.base, "/v3/spaces/"+j.spaceGUID)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"guid": j.guid, "created_at": timestamp(j.created), "updated_at": timestamp(j.updated),
		"operation": j.operation, "state": j.state, "links": links, "errors": errs, "warnings": warnings,
	})
}

// getBlob is the blobstore that droplet and package downloads redirect to. Like a signed
// blobstore URL, it needs no CC token.
func (s *Sim) getBlob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var path string
	switch r.PathValue("kind") {
	case "droplets":
		if d, ok := s.droplets[r.PathValue("guid")]; ok {
			path = d.tgz
		}
	case "packages":
		if p, ok := s.packages[r.PathValue("guid")]; ok {
			path = p.bits
		}
	}
	s.mu.Unlock()
	if path == "" {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = io.Copy(w, f)
}
