package rollout

import (
	"context"
	"fmt"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// lockForRelease takes the app's lease when the rollout is one app of a release of several:
// the lock app blue-green deploys take (bluegreen.LockName), held from before the first change
// of the first app until this app's deploy ends, so no other deploy of the app starts while the
// release may still undo it. A rollout alone needs none: CC runs one deployment per app at a
// time, and the run waits for another one.
func (r *roller) lockForRelease(ctx context.Context) (unlock func(), err error) {
	if !r.o.Hold.Holds() {
		return func() {}, nil
	}
	l := &bluegreen.Lease{CC: r.p, Log: r.Log, SpaceGUID: r.Space.GUID, For: r.o.App, Name: bluegreen.LockName(r.o.App),
		Role: bluegreen.RoleCandidate, TTL: r.o.LeaseTTL, Build: r.o.Build, ID: r.id}
	var lock *platform.App
	err = r.Phase(ctx, "take the lease ("+l.Name+")", func(ctx context.Context) error {
		lock, err = l.Take(ctx, r.o.Timeouts.Lease, r.healLock)
		return err
	})
	if err != nil {
		return nil, err
	}
	held, release := bluegreen.Uninterrupted(ctx) // held until the deploy, rollback included, ends
	l.Heartbeat(held)
	return func() {
		defer release()
		l.Stop()
		if err := r.p.DeleteApp(held, lock.GUID); err != nil {
			r.Log.Fail("deleting the lease %s failed (%v): it runs out after %s, and the next deploy removes it", l.Name, err, r.o.LeaseTTL)
		}
	}, nil
}

// healLock removes a lock left by a killed release's rollout: it never held more than the lease
// (the journal's first step). A candidate a blue-green deploy left further on is that flow's
// to heal.
func (r *roller) healLock(ctx context.Context, lock *platform.App) error {
	if step := lock.Annotations[bluegreen.AnnStep]; step != "created" {
		return fmt.Errorf("%s was left by an interrupted blue-green deploy at step %s: a blue-green put of %s heals it", lock.Name, step, r.o.App)
	}
	r.Res.Healed = append(r.Res.Healed, lock.Name+" (a lease left by an interrupted release)")
	return r.p.DeleteApp(ctx, lock.GUID)
}
