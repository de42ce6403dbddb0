package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

func TestLastRegistrationAndRemoval(t *testing.T) {
	t0 := time.Unix(2000, 0)
	ev := func(r, at int, reg bool, uri, app string) router.Event {
		return routerEvent(r, t0.Add(msec(at)), reg, uri, app)
	}
	events := []router.Event{
		ev(0, 100, true, "app.test", "new"),
		ev(1, 300, true, "app.test", "new"),
		ev(2, 250, true, "other.test", "new"), // another route
		ev(2, 280, true, "app.test", "old"),   // another app
		ev(2, 900, true, "app.test", "new"),   // after the confirmation: not what was confirmed
		ev(1, 350, false, "app.test", "old"),
		ev(0, 500, false, "app.test", "old"),
	}
	isNew := func(e router.Endpoint) bool { return e.AppGUID == "new" }
	confirmed := t0.Add(msec(600))
	if got := lastRegistration(events, "app.test", isNew, confirmed); !got.Equal(t0.Add(msec(300))) {
		t.Errorf("last registration at %s, want 300ms", got.Sub(t0))
	}
	isOld := func(e router.Endpoint) bool { return e.AppGUID == "old" }
	if got := lastRemoval(events, "app.test", isOld, confirmed); !got.Equal(t0.Add(msec(500))) {
		t.Errorf("last removal at %s, want 500ms", got.Sub(t0))
	}
	if got := lastRegistration(events, "none.test", isNew, confirmed); !got.IsZero() {
		t.Errorf("no registration expected, got %s", got.Sub(t0))
	}
}

func routerEvent(r int, at time.Time, reg bool, uri, app string) router.Event {
	return router.Event{Router: r, Applied: at, Sent: at, Message: router.Message{Register: reg, URI: uri,
		Endpoint: router.Endpoint{AppGUID: app, Address: "127.0.0.1:1"}}}
}

func TestFailureKinds(t *testing.T) {
	samples := []sample{
		{Failed: true, Status: 404, Error: "unknown_route"},
		{Failed: true, Status: 502, Error: "endpoint_failure (dial tcp 127.0.0.1:4000: connect: connection refused)"},
		{Failed: true, Status: 502, Error: "endpoint_failure (dial tcp 127.0.0.1:4001: connect: connection refused)"},
		{Failed: true, Error: "timeout"},
		{Status: 200, Version: "v1"},
	}
	got := failureKinds(samples)
	want := map[string]int{"404 unknown_route": 1, "502 endpoint_failure": 2, "0 timeout": 1}
	if len(got) != len(want) {
		t.Fatalf("kinds %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d, want %d", k, got[k], n)
		}
	}
}

func TestReadHWM(t *testing.T) {
	p := filepath.Join(t.TempDir(), "status")
	status := "Name:\tout\nVmPeak:\t 1267832 kB\nVmHWM:\t   14336 kB\nVmRSS:\t   12000 kB\n"
	if err := os.WriteFile(p, []byte(status), 0o644); err != nil {
		t.Fatal(err)
	}
	if kb, ok := readHWM(p); !ok || kb != 14336 {
		t.Errorf("VmHWM %d (%v), want 14336", kb, ok)
	}
	if _, ok := readHWM(filepath.Join(t.TempDir(), "gone")); ok {
		t.Error("a process that is gone has no VmHWM")
	}
}
