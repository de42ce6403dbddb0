package bluegreen

import (
	"context"
	"errors"
	"fmt"
)

// ErrAborted marks a run stopped by its caller: Concourse aborting the build signals out,
// which cancels the context it gave the engine with a cause that wraps ErrAborted.
//
// An abort cancels every wait (staging, instances starting, route proofs, smoke checks, drain,
// observation, lease and deployment waits) but never a request already on its way that changes
// something (see Settle). The flow then brings the app back to one serving version as it does
// after a failure, and returns an error wrapping ErrAborted that says where it stopped and what
// state the app is in.
var ErrAborted = errors.New("aborted")

// abortCause is why ctx was aborted, always wrapping ErrAborted.
func abortCause(ctx context.Context) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrAborted) {
		return cause
	}
	return fmt.Errorf("%w (%v)", ErrAborted, cause)
}

// Uninterrupted is ctx without its cancellation, keeping its deadline and values: what an abort
// must not cut short (a request already on its way, finalize, healing) still ends by the
// deadline the run had.
func Uninterrupted(ctx context.Context) (context.Context, context.CancelFunc) {
	detached := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(detached, deadline)
	}
	return context.WithCancel(detached)
}

// AbortErr is the caller's abort, nil while there is none. Only the caller's context tells an
// abort from the run's own deadline, which the contexts derived from it also carry.
func (r *Run) AbortErr() error {
	if r.caller == nil || r.caller.Err() == nil {
		return nil
	}
	return abortCause(r.caller)
}

// Failed records, when a step running with ctx fails, whether it failed because the run was
// aborted: ctx ended and the caller's had. Steps of a recovery run with a context an abort does
// not end, so their failures stay failures.
func (r *Run) Failed(ctx context.Context, err error) error {
	if err != nil && r.abortedAt == "" && ctx.Err() != nil && r.AbortErr() != nil {
		r.abortedAt = r.step
	}
	return err
}

// AbortedAt is the step an abort stopped, "" when none did.
func (r *Run) AbortedAt() string { return r.abortedAt }

// Leave records what the run leaves the app in, for an abort's report.
func (r *Run) Leave(format string, args ...any) { r.left = fmt.Sprintf(format, args...) }

// ReportFailure logs, at the start of a recovery, why it runs: "<what> failed: <cause>", or
// where the abort stopped the run and what the recovery brings back.
func (r *Run) ReportFailure(what string, cause error, bringing string) {
	if r.abortedAt != "" {
		r.Log.Fail("%v at %s: %s", r.AbortErr(), r.abortedAt, bringing)
	} else {
		r.Log.Fail("%s failed: %v", what, cause)
	}
}

// Outcome is what the run returns: its error unchanged, or after an abort one line saying
// where it stopped and what it left. A step the abort let finish (finalize) is reported too:
// the build was aborted, whatever state that step reached. A failure the abort only arrived
// during the recovery of keeps its own error.
func (r *Run) Outcome(err error) error {
	abort := r.AbortErr()
	if abort == nil || (r.abortedAt == "" && (err != nil || r.left == "")) {
		return err
	}
	at, left := r.abortedAt, r.left
	if at == "" {
		at = r.step
	}
	switch {
	case left != "":
	case len(r.Res.Healed) > 0:
		left = "an interrupted deploy was healed (" + r.Res.Healed[0] + "), nothing else was changed"
	default:
		left = "nothing was changed"
	}
	return fmt.Errorf("%w at %s: %s", abort, at, left)
}
