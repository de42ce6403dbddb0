package main

import (
	"io"
	"net/http/httptest"
	"testing"
)

// TestEnvPath: /env/NAME answers the platform variables the instance was started with and
// nothing else, while every other path keeps answering the version.
func TestEnvPath(t *testing.T) {
	vars := map[string]string{
		"PORT": "8080", "VERSION": "v3", "SECRET": "hidden",
		"VCAP_SERVICES": `{"user-provided":[{"name":"db"}]}`,
	}
	c, err := loadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	vars["VCAP_SERVICES"] = "{}" // a later change is not seen: the value is the one at start
	h := newHandler(c)
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{"/env/VCAP_SERVICES", `{"user-provided":[{"name":"db"}]}`, 200},
		{"/env/VCAP_APPLICATION", "VCAP_APPLICATION is not set or not exposed", 404},
		{"/env/SECRET", "SECRET is not set or not exposed", 404},
		{"/environment", "version=v3", 200},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		body, _ := io.ReadAll(rec.Body)
		expect(t, rec.Code == tc.status && string(body) == tc.body, "%s: got %d %q", tc.path, rec.Code, body)
		expect(t, rec.Header().Get("X-App-Version") == "v3", "%s: X-App-Version %q", tc.path, rec.Header().Get("X-App-Version"))
	}
}
