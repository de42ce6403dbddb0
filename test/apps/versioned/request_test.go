package main

import (
	"io"
	"net/http/httptest"
	"testing"
	"time"
)

// TestPerRequest: ?status= and ?delay= decide one answer; X-Process-Guid names the process
// VCAP_APPLICATION gave.
func TestPerRequest(t *testing.T) {
	vars := map[string]string{"PORT": "8080", "VERSION": "v5", "STATUS": "201",
		"VCAP_APPLICATION": `{"application_id":"app-1","process_id":"proc-1"}`}
	c, err := loadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(c)
	for _, tc := range []struct {
		path, body string
		status     int
		atLeast    time.Duration
	}{
		{"/", "version=v5", 201, 0},
		{"/x?status=503", "version=v5", 503, 0},
		{"/x?status=404&delay=150ms", "version=v5", 404, 150 * time.Millisecond},
		{"/?status=99", `status must be an HTTP status from 200 to 599, got "99"`, 400, 0},
		{"/?delay=2m", `delay must be at most 1m0s, got "2m"`, 400, 0},
		{"/?delay=soon", `delay must be a duration such as 5s, got "soon": time: invalid duration "soon"`, 400, 0},
		{"/health?status=500", "ok", 200, 0},
	} {
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		took := time.Since(start)
		body, _ := io.ReadAll(rec.Body)
		expect(t, rec.Code == tc.status && string(body) == tc.body, "%s: got %d %q", tc.path, rec.Code, body)
		expect(t, took >= tc.atLeast, "%s: answered after %s, before %s", tc.path, took, tc.atLeast)
		expect(t, rec.Header().Get("X-Process-Guid") == "proc-1", "%s: X-Process-Guid %q", tc.path, rec.Header().Get("X-Process-Guid"))
	}
}
