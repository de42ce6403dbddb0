package bluegreen

import (
	"context"
	"errors"
	"fmt"
)

// ErrAborted marks a deploy stopped by its caller: Concourse aborting the build signals out,
// which cancels the context it gave the engine with a cause that wraps ErrAborted.
//
// An abort cancels every wait (staging, instances starting, route proofs, smoke checks, drain,
// observation, lease and deployment waits) but never a request already on its way that changes
// something (see settledPlatform). The engine then brings the app back to one serving version as
// it does after a failure, and returns an error wrapping ErrAborted that says where it stopped
// and what state the app is in.
var ErrAborted = errors.New("aborted")

// abortCause is why ctx was aborted, always wrapping ErrAborted.
func abortCause(ctx context.Context) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrAborted) {
		return cause
	}
	return fmt.Errorf("%w (%v)", ErrAborted, cause)
}

// uninterrupted is ctx without its cancellation, keeping its deadline and values: what an abort
// must not cut short (a request already on its way, finalize, healing) still ends by the
// deadline the deploy had.
func uninterrupted(ctx context.Context) (context.Context, context.CancelFunc) {
	detached := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(detached, deadline)
	}
	return context.WithCancel(detached)
}

// abortErr is the caller's abort, nil while there is none. Only the caller's context tells an
// abort from the deploy's own deadline, which the contexts derived from it also carry.
func (d *deployer) abortErr() error {
	if d.caller == nil || d.caller.Err() == nil {
		return nil
	}
	return abortCause(d.caller)
}

// failed records, when a step running with ctx fails, whether it failed because the deploy was
// aborted: ctx ended and the caller's had. Steps of a recovery run with a context an abort does
// not end, so their failures stay failures.
func (d *deployer) failed(ctx context.Context, err error) error {
	if err != nil && d.abortedAt == "" && ctx.Err() != nil && d.abortErr() != nil {
		d.abortedAt = d.step
	}
	return err
}

// outcome is what the deploy returns: its error unchanged, or after an abort one line saying
// where it stopped and what it left. A step the abort let finish (finalize) is reported too:
// the build was aborted, whatever state that step reached. A failure the abort only arrived
// during the recovery of keeps its own error.
func (d *deployer) outcome(err error) error {
	abort := d.abortErr()
	if abort == nil || (d.abortedAt == "" && (err != nil || d.left == "")) {
		return err
	}
	at, left := d.abortedAt, d.left
	if at == "" {
		at = d.step
	}
	switch {
	case left != "":
	case len(d.res.Healed) > 0:
		left = "an interrupted deploy was healed (" + d.res.Healed[0] + "), nothing else was changed"
	default:
		left = "nothing was changed"
	}
	return fmt.Errorf("%w at %s: %s", abort, at, left)
}
