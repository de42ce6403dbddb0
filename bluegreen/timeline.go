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

// Step runs f as a named step and logs its outcome.
func (t *Timeline) Step(name string, f func() error) error {
	began := time.Now()
	err := f()
	d := time.Since(began)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Phases = append(t.Phases, Phase{Name: name, Duration: d, Err: err})
	if err != nil {
		fmt.Fprintf(t.w, "%s✗ %-28s %8s  %v%s\n", red, name, Round(d), err, reset)
	} else {
		fmt.Fprintf(t.w, "%s✓%s %-28s %8s\n", green, reset, name, Round(d))
	}
	return err
}

// Note logs a line that is not a step (what the engine decided, what it found).
func (t *Timeline) Note(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "  "+format+"\n", args...)
}

// Fail logs a line in red.
func (t *Timeline) Fail(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, red+"  "+format+reset+"\n", args...)
}

// Round shortens a duration for the log.
func Round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
