package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// median is the middle value (the mean of the two middle ones for an even count); 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile is the nearest-rank p-th percentile (p in (0, 100]): the smallest value with at
// least p % of the values at or below it; 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

func maxOf(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// sample is one load request: when it was sent, what answered, and whether it failed (no
// app answered: a connection error or a gorouter error page).
type sample struct {
	At      time.Time
	Took    time.Duration
	Status  int
	Version string // the app's X-App-Version; "" when no app answered
	Failed  bool
	Error   string // why it failed: gorouter's X-Cf-Routererror, or the connection error
}

// window is a stretch of time.
type window struct{ From, To time.Time }

func (w window) length() time.Duration { return w.To.Sub(w.From) }

// failureWindows are the outages users saw: each run of consecutive failed requests, from
// the first failure's send time to the send time of the next request that succeeded (or to
// the end of the last failure when none followed).
func failureWindows(samples []sample) []window {
	var out []window
	var open *window
	for _, s := range samples {
		switch {
		case s.Failed && open == nil:
			open = &window{From: s.At, To: s.At.Add(s.Took)}
		case s.Failed:
			open.To = s.At.Add(s.Took)
		case open != nil:
			open.To = s.At
			out = append(out, *open)
			open = nil
		}
	}
	if open != nil {
		out = append(out, *open)
	}
	return out
}

func longestWindow(ws []window) time.Duration {
	var m time.Duration
	for _, w := range ws {
		m = max(m, w.length())
	}
	return m
}

// mixedWindow is how long users could get either version: from the first answer of the new
// version to the last answer of the old one; 0 when the old one never answered after the
// new one first did.
func mixedWindow(samples []sample, oldVersion, newVersion string) time.Duration {
	var firstNew, lastOld time.Time
	for _, s := range samples {
		switch {
		case s.Failed:
		case s.Version == newVersion && firstNew.IsZero():
			firstNew = s.At
		case s.Version == oldVersion:
			lastOld = s.At
		}
	}
	if firstNew.IsZero() || lastOld.Before(firstNew) {
		return 0
	}
	return lastOld.Sub(firstNew)
}

func countFailed(samples []sample) int {
	n := 0
	for _, s := range samples {
		if s.Failed {
			n++
		}
	}
	return n
}

// failureKinds counts failed requests by status and reason, e.g. "404 unknown_route".
func failureKinds(samples []sample) map[string]int {
	kinds := map[string]int{}
	for _, s := range samples {
		if s.Failed {
			reason, _, _ := strings.Cut(s.Error, " (") // "endpoint_failure (dial tcp ...)": the kind, not the port
			kinds[strings.TrimSpace(fmt.Sprintf("%d %s", s.Status, reason))]++
		}
	}
	return kinds
}
