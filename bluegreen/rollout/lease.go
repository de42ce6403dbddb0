package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// A deployment that pauses (a canary step, paced rolling's first instance) waits for continue for
// ever: a run killed at a pause would leave two versions serving and every later run waiting. So
// a run marks the deployments it creates with its deploy id and a lease it renews while it follows
// them; a run that finds one of them paused with the lease run out knows its run is gone, and
// cancels it. One that is not paused rolls on by itself and is waited for, as a user's is.

// defaultLeaseTTL is the lease's TTL when the options give none: never zero, which would make
// a live run's pause look abandoned.
const defaultLeaseTTL = 30 * time.Second

// leaseAnnotations mark a new deployment as this run's, leased for the TTL.
func (r *roller) leaseAnnotations() map[string]string {
	return map[string]string{bluegreen.AnnApp: r.o.App, bluegreen.AnnDeployID: r.id,
		bluegreen.AnnLeaseExpires: bluegreen.Timestamp(time.Now().Add(r.o.LeaseTTL))}
}

// holdLease renews the deployment's lease every third of the TTL until the returned stop is
// called. A failed renewal is logged: the lease then runs out, and a waiting run may cancel the
// deployment if it is paused.
func (r *roller) holdLease(ctx context.Context, guid string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for poll.Sleep(ctx, r.o.LeaseTTL/3) == nil {
			expires := bluegreen.Timestamp(time.Now().Add(r.o.LeaseTTL))
			err := r.p.AnnotateDeployment(ctx, guid, map[string]*string{bluegreen.AnnLeaseExpires: &expires})
			if err != nil && ctx.Err() == nil {
				r.Log.Fail("renewing the lease on deployment %s failed (it runs out at the latest %s after the last renewal): %v",
					guid, r.o.LeaseTTL, err)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// abandoned reports whether a deployment is paused by a run of ours that no longer renews its
// lease.
func abandoned(d platform.Deployment) bool {
	if d.Reason != platform.ReasonPaused || d.Annotations[bluegreen.AnnDeployID] == "" {
		return false
	}
	expires, err := time.Parse(time.RFC3339Nano, d.Annotations[bluegreen.AnnLeaseExpires])
	return err == nil && time.Now().After(expires)
}

// healAbandoned cancels a deployment an interrupted run left paused, and proves the version it
// would have replaced serves alone. Healing brings the app back to one serving version: an
// abort lets it finish.
func (r *roller) healAbandoned(ctx context.Context, d platform.Deployment) error {
	ctx, cancel := bluegreen.Uninterrupted(ctx)
	defer cancel()
	r.Log.Note("deployment %s was left paused by an interrupted deploy (%s); cancelling it",
		d.GUID, d.Annotations[bluegreen.AnnDeployID])
	var err error
	if r.liveRoutes, err = r.p.AppRoutes(ctx, r.Live.GUID); err != nil {
		return err
	}
	r.dep = d
	defer func() { r.dep = platform.Deployment{} }()
	if err := r.cancelAndVerify(ctx); err != nil {
		return fmt.Errorf("cancelling deployment %s, left paused by an interrupted deploy: %w", d.GUID, err)
	}
	return nil
}
