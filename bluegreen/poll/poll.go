// Package poll paces the reads of a wait on the Cloud Controller. Most of what the engine waits
// for ends within a second (a job, a package's processing, an instance start, a deployment's
// next updater tick on a busy foundation), while staging or a long rollout can take minutes:
// reading again after a fixed 250 ms wasted a quarter of a second on every short wait, and made
// four requests a second on every long one. A Backoff reads soon at first, then less and less
// often, up to a ceiling.
package poll

import (
	"context"
	"time"
)

const (
	// First is the first pause: about what a Cloud Controller job or an instance start takes
	// on an idle foundation.
	First = 40 * time.Millisecond
	// Max is the longest pause: a wait that has gone on for seconds is told of its end within
	// a second, at one request a second.
	Max = time.Second
	// growth is how much each pause is longer than the one before: a wait's end is seen at most
	// a quarter of its length (and First) late. At 1.5 a staging of 580 ms was seen at 830 ms;
	// at 1.25 it is seen at 600 ms, for a few more reads while the pauses grow to Max.
	growth = 1.25
)

// Backoff is the pauses of one wait: First, then 1.25 times longer each time, up to its ceiling.
// A Backoff is used by one goroutine.
type Backoff struct {
	next, max time.Duration
}

// New starts a wait's pauses at First, up to Max.
func New() *Backoff { return &Backoff{next: First, max: Max} }

// Capped starts a wait's pauses at First, up to ceiling: for waits whose end must be seen soon
// (a deployment that pauses for us to prove it).
func Capped(ceiling time.Duration) *Backoff {
	return &Backoff{next: min(First, ceiling), max: ceiling}
}

// Next is the next pause.
func (b *Backoff) Next() time.Duration {
	d := b.next
	b.next = min(time.Duration(float64(b.next)*growth), b.max)
	return d
}

// Reset starts the pauses over, when the wait saw progress and the next change may be close.
func (b *Backoff) Reset() { b.next = min(First, b.max) }

// Wait sleeps the next pause, or less when ctx ends; then it returns ctx's cause.
func (b *Backoff) Wait(ctx context.Context) error { return Sleep(ctx, b.Next()) }

// Sleep waits d, or less when ctx ends; then it returns ctx's cause.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
