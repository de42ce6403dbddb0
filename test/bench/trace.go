package main

import (
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

// trace is one measured deploy as the pictures draw it: every load request, the Cloud
// Controller calls, and the tool's steps, on the deploy's own clock.
type trace struct {
	Start, End time.Time // the tool's run
	Old, New   string    // the versions before and after
	Samples    []sample
	CCCalls    []time.Time
	Steps      []step // ours: out's steps; a baseline: its whole run as one step
	Proofs     []mark // ours: the moments out said it proved something on every router
}

// step is a stretch of a deploy with a name: one of out's timeline steps.
type step struct {
	Name     string
	From, To time.Time
	Failed   bool
}

// mark is a moment of a deploy, with what happened then.
type mark struct {
	At   time.Time
	Text string
}

// newTrace keeps what the pictures need of an observed deploy.
func newTrace(o observed, prev, version string) trace {
	t := trace{Start: o.start, End: o.end, Old: prev, New: version, Samples: o.samples}
	for _, r := range ccRequests(o.requests) {
		t.CCCalls = append(t.CCCalls, r.Time)
	}
	if o.res.Out == nil {
		t.Steps = []step{{Name: "the tool's run", From: o.start, To: o.end}}
		return t
	}
	t.Steps, t.Proofs = timelineSteps(o.res.Out.Lines, o.res.Out.Start)
	return t
}

// timelineSteps reads out's stderr timeline (bluegreen.Timeline): a step's line is printed
// when it ends, "✓ name  duration" or "✗ name  duration  error"; notes are indented, and a note
// saying "on every router" is a proof. A step began its duration before its line; a begin
// within the timeline's rounding (and the pipe's delay) of the previous step's end is that
// end: the steps ran one after the other.
func timelineSteps(lines []line, start time.Time) ([]step, []mark) {
	var steps []step
	var proofs []mark
	prevEnd := start
	for _, l := range lines {
		text := stripColours(l.Text)
		if strings.HasPrefix(text, " ") {
			if strings.Contains(text, "on every router") {
				proofs = append(proofs, mark{At: l.At, Text: strings.TrimSpace(text)})
			}
			continue
		}
		name, took, failed, ok := stepLine(text)
		if !ok {
			continue
		}
		from := l.At.Add(-took)
		if from.Sub(prevEnd).Abs() <= tolerance(took) || from.Before(start) {
			from = prevEnd
		}
		steps = append(steps, step{Name: name, From: from, To: l.At, Failed: failed})
		prevEnd = l.At
	}
	return steps, proofs
}

// stripColours drops the terminal colour codes (ESC [ ... m) the timeline wraps marks in.
func stripColours(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], 'm')
		if j < 0 {
			return b.String()
		}
		s = s[i+j+1:]
	}
}

// stepLine splits a step's line: the mark, the name, and the first field after the name that
// reads as a duration.
func stepLine(text string) (name string, took time.Duration, failed, ok bool) {
	fields := strings.Fields(text)
	if len(fields) < 3 || (fields[0] != "✓" && fields[0] != "✗") {
		return "", 0, false, false
	}
	for i := 2; i < len(fields); i++ {
		if d, err := time.ParseDuration(fields[i]); err == nil {
			return strings.Join(fields[1:i], " "), d, fields[0] == "✗", true
		}
	}
	return "", 0, false, false
}

// tolerance is how far a step's printed begin can be from its real one: the timeline rounds
// durations to the millisecond, from a second on to 100 ms, and the bench reads a line a few
// milliseconds after out writes it.
func tolerance(d time.Duration) time.Duration {
	if d < time.Second {
		return 10 * time.Millisecond
	}
	return 60 * time.Millisecond
}

// ccRequests drops UAA's token requests: they are not Cloud Controller calls.
func ccRequests(reqs []cfsim.Request) []cfsim.Request {
	var out []cfsim.Request
	for _, r := range reqs {
		if r.Path != "/oauth/token" {
			out = append(out, r)
		}
	}
	return out
}
