package bluegreen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// The lease is the candidate app itself: CC refuses a second app with its name, so creating
// it is the lock. Its lease-expires annotation is renewed while the deploy runs; a deploy
// that was killed stops renewing, and the next one heals what it left.

func newID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *deployer) leaseAnnotations(step string) map[string]string {
	ann := map[string]string{
		annApp: d.plan.App, annDeployID: d.deployID, annStep: step,
		annLeaseExpires: time.Now().Add(d.plan.LeaseTTL).UTC().Format(time.RFC3339Nano),
	}
	for k, v := range d.plan.Build {
		ann[keyPrefix+k] = v
	}
	return ann
}

// acquire creates the candidate app; if one exists it waits for a live lease to go, or heals
// an expired one, up to the lease timeout.
func (d *deployer) acquire(ctx context.Context) error {
	deadline := time.Now().Add(d.plan.Timeouts.Lease)
	for {
		cand, err := d.p.CreateApp(ctx, d.space.GUID, candidateName(d.plan.App),
			map[string]string{labelRole: roleCandidate}, d.leaseAnnotations("created"))
		if err == nil {
			d.candidate = cand
			return nil
		}
		if !errors.Is(err, cf.ErrNameTaken) {
			return err
		}
		if err := d.contend(ctx, deadline); err != nil {
			return err
		}
	}
}

// contend deals with an existing candidate: heal it when its lease expired, else wait.
func (d *deployer) contend(ctx context.Context, deadline time.Time) error {
	other, err := d.p.AppByName(ctx, d.space.GUID, candidateName(d.plan.App))
	if err != nil || other == nil {
		return err // gone meanwhile: try again
	}
	if expired(other) {
		d.log.Note("found %s left by an interrupted deploy (%s); healing", other.Name, other.Annotations[annDeployID])
		// Healing brings the space back to one serving version: an abort lets it finish.
		ctx, cancel := uninterrupted(ctx)
		defer cancel()
		return d.heal(ctx, other)
	}
	if time.Now().After(deadline) {
		return fmt.Errorf("another deploy (%s) holds the lease on %s; waited %s (params.lease_timeout)",
			other.Annotations[annDeployID], d.plan.App, d.plan.Timeouts.Lease)
	}
	d.log.Note("another deploy (%s) is running; waiting for its lease", other.Annotations[annDeployID])
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(time.Second):
		return nil
	}
}

func expired(app *cf.App) bool {
	t, err := time.Parse(time.RFC3339Nano, app.Annotations[annLeaseExpires])
	return err != nil || time.Now().After(t)
}

// heartbeat renews the lease until the returned stop is called; stop may be called twice.
func (d *deployer) heartbeat(ctx context.Context) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(d.plan.LeaseTTL / 3):
				d.setStep(ctx, "")
			}
		}
	}()
	return func() { once.Do(func() { cancel(); <-done }) }
}

// setStep records how far the deploy got (the journal) and renews the lease.
func (d *deployer) setStep(ctx context.Context, step string) {
	if d.candidate == nil || d.noJournal {
		return
	}
	ann := map[string]*string{}
	expires := time.Now().Add(d.plan.LeaseTTL).UTC().Format(time.RFC3339Nano)
	ann[annLeaseExpires] = &expires
	if step != "" {
		ann[annStep] = &step
	}
	_ = d.p.Update(ctx, d.candidate.GUID, d.candidate.Name, nil, ann)
}

// heal brings the space back to one serving version after an interrupted deploy, from the
// step its journal reached: a candidate that never had live routes is deleted; one that was
// moving traffic gives it back to the live app first; one that was finalizing is finished.
func (d *deployer) heal(ctx context.Context, cand *cf.App) error {
	d.res.Healed = append(d.res.Healed, cand.Name+" at step "+cand.Annotations[annStep])
	if cand.Annotations[annStep] == "finalize" {
		return d.finishFinalize(ctx, cand)
	}
	routes, err := d.p.AppRoutes(ctx, cand.GUID)
	if err != nil {
		return err
	}
	for _, r := range routes {
		if err := d.giveBack(ctx, r, cand.GUID); err != nil {
			return fmt.Errorf("heal: %w", err)
		}
		if r.Host == d.plan.temporaryHost() {
			if err := d.p.DeleteRoute(ctx, r.GUID); err != nil {
				return fmt.Errorf("heal: %w", err)
			}
		}
	}
	if err := d.p.DeleteApp(ctx, cand.GUID); err != nil {
		return fmt.Errorf("heal: %w", err)
	}
	d.log.Note("healed: removed %s", cand.Name)
	return nil
}

// giveBack takes a route off an app, first proving the live app serves it when it is mapped
// there (or mapping it back when the interrupted cutover had already unmapped it).
func (d *deployer) giveBack(ctx context.Context, r cf.Route, appGUID string) error {
	if r.Host != d.plan.temporaryHost() && d.live != nil {
		if err := d.reclaim(ctx, r); err != nil {
			return err
		}
	}
	if err := d.p.Unmap(ctx, r.GUID, appGUID); err != nil {
		return err
	}
	instances := 1
	if p, err := d.p.WebProcess(ctx, appGUID); err == nil && p.Instances > 0 {
		instances = p.Instances
	}
	_, err := d.awaitAbsent(ctx, r, appGUID, instances)
	return err
}

// reclaim maps the live app back to the route and proves it serves there. When the live app had
// been unmapped, its removal may still be on its way to a router (each applies removals after
// its own lag, and one can overtake a later registration): the live app would pass the proof
// there, still registered, and be removed right after. So it is proven gone first.
func (d *deployer) reclaim(ctx context.Context, r cf.Route) error {
	current, err := d.p.Route(ctx, r.GUID)
	if err != nil {
		return err
	}
	if _, mapped := current.Dests[d.live.GUID]; !mapped {
		if _, err := d.awaitAbsent(ctx, r, d.live.GUID, d.liveSize.Instances); err != nil {
			return err
		}
	}
	if err := d.p.Map(ctx, r.GUID, d.live.GUID); err != nil {
		return err
	}
	_, err = d.awaitPresent(ctx, r, d.live.GUID, d.liveSize.Instances)
	return err
}
