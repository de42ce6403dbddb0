package main

import (
	"testing"
	"time"
)

func msec(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestMedianAndPercentile(t *testing.T) {
	ds := []time.Duration{msec(5), msec(1), msec(4), msec(2), msec(3)}
	if got := median(ds); got != msec(3) {
		t.Errorf("median of 1..5 = %s, want 3ms", got)
	}
	if got := median(ds[:4]); got != msec(3) { // 5 1 4 2: middle two are 2 and 4
		t.Errorf("median of four = %s, want 3ms", got)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median of none = %s, want 0", got)
	}
	ten := []time.Duration{msec(10), msec(9), msec(8), msec(7), msec(6), msec(5), msec(4), msec(3), msec(2), msec(1)}
	for p, want := range map[float64]time.Duration{90: msec(9), 50: msec(5), 100: msec(10), 1: msec(1)} {
		if got := percentile(ten, p); got != want {
			t.Errorf("p%v of 1..10 = %s, want %s", p, got, want)
		}
	}
	if ds[0] != msec(5) {
		t.Error("median sorted its input in place")
	}
}

// samplesOf builds samples sent every 10 ms from t0: 'o' the old version, 'n' the new one, 'x' failed.
func samplesOf(t0 time.Time, pattern string) []sample {
	var out []sample
	for i, c := range pattern {
		s := sample{At: t0.Add(msec(10 * i)), Took: msec(1), Status: 200}
		switch c {
		case 'o':
			s.Version = "v1"
		case 'n':
			s.Version = "v2"
		case 'x':
			s.Failed, s.Status = true, 404
		}
		out = append(out, s)
	}
	return out
}

func TestFailureWindows(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ws := failureWindows(samplesOf(t0, "ooxxxoonxnnxx"))
	if len(ws) != 3 {
		t.Fatalf("got %d windows, want 3: %v", len(ws), ws)
	}
	// xxx sent at 20, 30, 40 ms; the next success at 50 ms.
	if ws[0].length() != msec(30) || !ws[0].From.Equal(t0.Add(msec(20))) {
		t.Errorf("first window %v..%v, want 20ms..50ms", ws[0].From.Sub(t0), ws[0].To.Sub(t0))
	}
	if ws[1].length() != msec(10) {
		t.Errorf("a single failure lasts until the next success: got %s", ws[1].length())
	}
	// trailing xx at 110 and 120 ms, the last taking 1 ms.
	if ws[2].length() != msec(11) {
		t.Errorf("trailing window %s, want 11ms", ws[2].length())
	}
	if got := longestWindow(ws); got != msec(30) {
		t.Errorf("longest %s, want 30ms", got)
	}
	if got := countFailed(samplesOf(t0, "ooxxxoonxnnxx")); got != 6 {
		t.Errorf("failed %d, want 6", got)
	}
	if ws := failureWindows(samplesOf(t0, "oonn")); len(ws) != 0 {
		t.Errorf("no failures, got windows %v", ws)
	}
}

func TestMixedWindow(t *testing.T) {
	t0 := time.Unix(1000, 0)
	// first v2 at 20 ms, last v1 at 50 ms.
	if got := mixedWindow(samplesOf(t0, "oonononnn"), "v1", "v2"); got != msec(30) {
		t.Errorf("mixed window %s, want 30ms", got)
	}
	if got := mixedWindow(samplesOf(t0, "oooxxnnn"), "v1", "v2"); got != 0 {
		t.Errorf("a clean switch has no mixed window, got %s", got)
	}
	if got := mixedWindow(samplesOf(t0, "oooo"), "v1", "v2"); got != 0 {
		t.Errorf("no new version, got %s", got)
	}
}
