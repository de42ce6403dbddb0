package bluegreen

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Timeline writes the deploy's log: one line per step with its duration, failures in red.
// It never writes env values or credentials; callers pass names and guids only.
type Timeline struct {
	mu     sync.Mutex
	w      io.Writer
	start  time.Time
	Phases []Phase
	// root and label make a release's timeline for one of its apps (For): its lines and phases
	// go to root, named for the app.
	root  *Timeline
	label string
}

// Phase is a finished step and how long it took.
type Phase struct {
	Name     string
	Duration time.Duration
	Err      error
}

const (
	red   = "\x1b[31m"
	green = "\x1b[32m"
	reset = "\x1b[0m"
)

// NewTimeline logs to w.
func NewTimeline(w io.Writer) *Timeline { return &Timeline{w: w, start: time.Now()} }

// For is the timeline of one app of a release of several: each line and phase it logs is
// written to t, named for the app.
func (t *Timeline) For(app string) *Timeline {
	return &Timeline{root: t.top(), label: app + ": ", start: t.start}
}

func (t *Timeline) top() *Timeline {
	if t.root != nil {
		return t.root
	}
	return t
}

// Step runs f as a named step and logs its outcome.
func (t *Timeline) Step(name string, f func() error) error {
	began := time.Now()
	err := f()
	d := time.Since(began)
	top := t.top()
	top.mu.Lock()
	defer top.mu.Unlock()
	name = t.label + name
	top.Phases = append(top.Phases, Phase{Name: name, Duration: d, Err: err})
	if err != nil {
		fmt.Fprintf(top.w, "%s✗ %-28s %8s  %v%s\n", red, name, Round(d), err, reset)
	} else {
		fmt.Fprintf(top.w, "%s✓%s %-28s %8s\n", green, reset, name, Round(d))
	}
	return err
}

// Note logs a line that is not a step (what the engine decided, what it found).
func (t *Timeline) Note(format string, args ...any) {
	t.line("  ", format, args)
}

// Fail logs a line in red.
func (t *Timeline) Fail(format string, args ...any) {
	t.line(red+"  ", format+reset, args)
}

func (t *Timeline) line(lead, format string, args []any) {
	top := t.top()
	top.mu.Lock()
	defer top.mu.Unlock()
	fmt.Fprintf(top.w, lead+"%s"+format+"\n", append([]any{t.label}, args...)...) // the label is no format
}

// Round shortens a duration for the log.
func Round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
