package probe

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// watch counts one step's consecutive confirmations on one base and remembers what it last saw.
type watch struct {
	step     step
	k        int
	streak   int
	last     observation
	seen     bool
	miss     *observation // the last answer that reset the count
	reported time.Time
}

// record counts o and reports whether the step is confirmed.
func (w *watch) record(o observation) bool {
	w.last, w.seen = o, true
	if !w.step.accept(o) {
		w.streak, w.miss = 0, &o
		return false
	}
	w.streak++
	return w.streak >= w.k
}

// stalled reports, at most once per stallReport, that the step is still waiting.
func (w *watch) stalled() bool {
	if time.Since(w.reported) < stallReport {
		return false
	}
	w.reported = time.Now()
	return true
}

func (w *watch) String() string {
	last := "nothing yet"
	if w.seen {
		last = w.last.String()
	}
	s := fmt.Sprintf("%s: %d of %d consecutive, last seen %s", w.step.label, w.streak, w.k, last)
	if w.miss != nil && w.streak > 0 {
		s += ", last reset by " + w.miss.String()
	}
	return s
}

// notConfirmed is the error for a step whose time ran out.
func (w *watch) notConfirmed(ctx context.Context) error {
	return fmt.Errorf("not confirmed: %s: %w", w, ctx.Err())
}

// unverifiableError means an answer proved the verification method cannot work on these routers.
type unverifiableError struct{ err error }

func (e unverifiableError) Error() string { return e.err.Error() }
func (e unverifiableError) Unwrap() error { return e.err }

func unverifiable(err error) bool {
	var u unverifiableError
	return errors.As(err, &u)
}
