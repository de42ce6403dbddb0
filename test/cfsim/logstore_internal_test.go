package cfsim

import "testing"

// TestLogBufferBound: however many envelopes an app gets, its buffer keeps the newest
// logsKept in time order, counts the others as expired, and its array stays near that size.
func TestLogBufferBound(t *testing.T) {
	b := &logBuffer{}
	for i := range 5 * logsKept {
		e := logEntry{ts: 1, message: "line"}
		if i%2 == 1 {
			e = logEntry{ts: 1, timer: &timerMsg{name: "http", start: 0, stop: 1}}
		}
		b.add(e)
		b.trim()
		if cap(b.entries) > 2*logsKept {
			t.Fatalf("after %d envelopes the buffer's array holds %d", i+1, cap(b.entries))
		}
	}
	if len(b.entries) != logsKept || b.expired != 4*logsKept {
		t.Fatalf("kept %d, expired %d", len(b.entries), b.expired)
	}
	for i := 1; i < len(b.entries); i++ {
		if b.entries[i].ts <= b.entries[i-1].ts {
			t.Fatalf("timestamps %d and %d are not increasing", b.entries[i-1].ts, b.entries[i].ts)
		}
	}
	if last := b.entries[len(b.entries)-1].ts; last != 5*logsKept {
		t.Fatalf("the newest envelope's timestamp is %d, not %d", last, 5*logsKept)
	}
}
