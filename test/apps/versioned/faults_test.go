package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// handlerWith is the app's handler as it starts with these variables (and a port).
func handlerWith(t *testing.T, vars ...string) http.Handler {
	t.Helper()
	env := map[string]string{"PORT": "8080", "VERSION": "v2"}
	for _, v := range vars {
		k, val, _ := strings.Cut(v, "=")
		env[k] = val
	}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return newHandler(c)
}

func request(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// failed lists which of n version requests (1-based) were answered 500.
func failed(h http.Handler, n int) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if request(h, "/").Code == http.StatusInternalServerError {
			out = append(out, i)
		}
	}
	return out
}

// TestErrorRate: ERROR_RATE fails that share of the version requests, evenly and exactly, and
// leaves /health and /env alone.
func TestErrorRate(t *testing.T) {
	for _, tc := range []struct {
		rate  string
		count int   // of 100 requests
		first []int // the first ones failed
	}{
		{"0.05", 5, []int{20, 40, 60, 80, 100}},
		{"0.25", 25, []int{4, 8, 12}},
		{"0.3", 30, []int{4, 7, 10, 14}},
		{"1", 100, []int{1, 2, 3}},
		{"0", 0, nil},
	} {
		got := failed(handlerWith(t, "ERROR_RATE="+tc.rate), 100)
		expect(t, len(got) == tc.count && slices.Equal(got[:len(tc.first)], tc.first),
			"ERROR_RATE=%s: failed %v, want %d starting %v", tc.rate, got, tc.count, tc.first)
	}
	h := handlerWith(t, "ERROR_RATE=0.5", "STATUS=201")
	for range 5 {
		expect(t, request(h, "/health").Code == 200, "health failed")
		expect(t, request(h, "/env/VCAP_SERVICES").Code == 404, "/env failed")
	}
	ok, bad := request(h, "/a"), request(h, "/b")
	expect(t, ok.Code == 201 && ok.Body.String() == "version=v2", "1st: %d %q, want STATUS", ok.Code, ok.Body.String())
	expect(t, bad.Code == 500 && bad.Body.String() == "version=v2: error injected by ERROR_RATE", "2nd: %d %q", bad.Code, bad.Body.String())
	expect(t, bad.Header().Get("X-App-Version") == "v2", "a failed request still says who answered")
}

// TestLatency: LATENCY delays every version request, not /health, and a client that gives up
// is not kept waiting.
func TestLatency(t *testing.T) {
	h := handlerWith(t, "LATENCY=150ms")
	began := time.Now()
	rec := request(h, "/")
	expect(t, time.Since(began) >= 150*time.Millisecond && rec.Code == 200, "answered %d after %s", rec.Code, time.Since(began))
	began = time.Now()
	request(h, "/health")
	expect(t, time.Since(began) < 100*time.Millisecond, "health took %s", time.Since(began))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	slow, began := handlerWith(t, "LATENCY=10s"), time.Now()
	slow.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
	expect(t, time.Since(began) < time.Second, "a gone client waited %s", time.Since(began))
}

// TestFaultsRefused: bad values are refused by name, like every other variable.
func TestFaultsRefused(t *testing.T) {
	for _, v := range []string{"ERROR_RATE=1.5", "ERROR_RATE=-0.1", "ERROR_RATE=5%", "ERROR_RATE=NaN", "LATENCY=soon", "LATENCY=-1s"} {
		name, value, _ := strings.Cut(v, "=")
		_, err := loadConfig(func(k string) string {
			return map[string]string{"PORT": "8080", name: value}[k]
		})
		expect(t, err != nil && strings.HasPrefix(err.Error(), name+" must be"), "%s: %v", v, err)
	}
	for _, v := range []string{"ERROR_RATE=0", "ERROR_RATE=1", "LATENCY=0s", "LATENCY=2ms"} {
		name, value, _ := strings.Cut(v, "=")
		_, err := loadConfig(func(k string) string { return map[string]string{"PORT": "8080", name: value}[k] })
		expect(t, err == nil, "%s refused: %v", v, err)
	}
}
