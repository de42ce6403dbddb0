package bluegreen

import "context"

// Hold parks a flow at the two points where a release of several apps (bluegreen/release)
// coordinates them. Leased is called once the app is leased and before anything changes on it;
// Proven once its new version serves, proven and observed, and before anything makes that
// final (blue-green's finalize; a deployment is final when CAPI finishes it, so the rollout
// flow holds after that and undoes it with a rollback). An error from Proven is a failure at
// that point, undone like any other; a nil func goes straight on.
type Hold struct {
	Leased func(context.Context) error
	Proven func(context.Context) error
}

// AtLeased waits at the lease point.
func (h Hold) AtLeased(ctx context.Context) error { return call(ctx, h.Leased) }

// AtProven waits at the proven point.
func (h Hold) AtProven(ctx context.Context) error { return call(ctx, h.Proven) }

// Holds reports whether a release holds the flow once proven.
func (h Hold) Holds() bool { return h.Proven != nil }

func call(ctx context.Context, f func(context.Context) error) error {
	if f == nil {
		return nil
	}
	return f(ctx)
}
