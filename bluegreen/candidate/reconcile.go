package candidate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Recovery is one mechanism, driven by the journal: whether this run failed (recover) or a
// rerun finds a candidate whose lease expired (heal), reconcile brings the space back to one
// serving version from the step the journal reached, reading what the candidate holds from CC:
//
//   - finalize: traffic had moved for good and the old app may be stopped: finish promoting
//     (a rerun does; a failure in this run leaves it to the next one, which has a fresh lease);
//   - any other step: every live route the candidate holds goes back to the live app, proven on
//     every router, then the candidate and its temporary route go.

// recover is the failure path of this run. It runs to its end whatever happens to the deploy's
// context.
func (d *deployer) recover(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.o.Timeouts.Verify+2*time.Minute)
	defer cancel()
	d.ReportFailure("deploy", cause, "bringing "+d.o.App+" back to one serving version")
	if d.finalizing {
		d.Log.Fail("the new version serves every route; the next run finishes what finalize left")
		d.Leave("the new version serves every route alone, but finalize failed (%v); the next run finishes it", cause)
		return cause
	}
	if d.candidate == nil {
		d.Leave("%s", d.recovered(nil))
		return cause
	}
	if d.AbortedAt() == "" {
		d.PrintEvidence(ctx, d.candidate, d.lookCloser())
	}
	if err := d.reconcile(ctx, d.candidate, d.reached, d.o.KeepFailed); err != nil {
		return d.recoveryFailed(cause, err)
	}
	d.Leave("%s", d.recovered(nil))
	return cause
}

// lookCloser says where the failed version's whole story is.
func (d *deployer) lookCloser() string {
	failed := failedName(d.o.App)
	if d.o.KeepFailed {
		return fmt.Sprintf("the failed version is kept stopped as %s (params.keep_failed): cf logs %s --recent has the rest", failed, failed)
	}
	return fmt.Sprintf("to look closer, deploy with params.keep_failed: true: the failed version is then kept stopped as %s, and cf logs %s --recent has the rest", failed, failed)
}

// recoveryFailed says what a failed recovery left: a candidate kept because it may still serve a
// live route, or one that could not be removed.
func (d *deployer) recoveryFailed(cause, err error) error {
	var kept *keptError
	if errors.As(err, &kept) {
		d.Leave("switching traffic back failed (%v); %s is kept, and the next run heals it", kept.err, candidateName(d.o.App))
		return bluegreen.Unrecovered(fmt.Errorf("%w (and switching back failed, the candidate is kept: %v)", cause, kept.err))
	}
	d.Leave("%s", d.recovered(err))
	return fmt.Errorf("%w (and cleaning up failed: %v)", cause, bluegreen.Flatten(err)) // the old version serves
}

// keptError is a recovery that kept the candidate: it may be the only app serving a route.
type keptError struct{ err error }

func (e *keptError) Error() string { return e.err.Error() }

// heal reconciles a candidate an interrupted deploy left, from its journal.
func (d *deployer) heal(ctx context.Context, cand *platform.App) error {
	step := cand.Annotations[bluegreen.AnnStep]
	d.Res.Healed = append(d.Res.Healed, cand.Name+" at step "+step)
	if err := d.reconcile(ctx, cand, step, false); err != nil {
		return fmt.Errorf("heal: %w", err)
	}
	if step != stepFinalize {
		d.Log.Note("healed: removed %s", cand.Name)
	}
	return nil
}

// reconcile brings the space back to one serving version from step (see the top of this file).
func (d *deployer) reconcile(ctx context.Context, cand *platform.App, step string, keepFailed bool) error {
	if step == stepFinalize {
		return d.finishFinalize(ctx, cand)
	}
	held, err := d.liveRoutesHeld(ctx, cand)
	if err != nil {
		return &keptError{err}
	}
	if len(held) > 0 {
		if err := d.Log.Step("switch back", func() error { return d.giveBackAll(ctx, held, cand) }); err != nil {
			return &keptError{err}
		}
	}
	d.lease.Stop() // before the candidate is renamed (keep_failed): a renewal would rename it back
	return d.Log.Step("remove the candidate", func() error { return d.abandon(ctx, cand, keepFailed) })
}

// liveRoutesHeld lists the routes other than its temporary one that the candidate holds.
func (d *deployer) liveRoutesHeld(ctx context.Context, cand *platform.App) ([]platform.Route, error) {
	routes, err := d.p.AppRoutes(ctx, cand.GUID)
	var held []platform.Route
	for _, r := range routes {
		if r.Host != d.o.temporaryHost() {
			held = append(held, r)
		}
	}
	return held, err
}

// giveBackAll gives routes the candidate holds back to the live app, proven.
func (d *deployer) giveBackAll(ctx context.Context, routes []platform.Route, cand *platform.App) error {
	errs := &multierror.Error{}
	for _, r := range routes {
		errs = multierror.Append(errs, d.giveBack(ctx, r, cand.GUID))
	}
	return errs.ErrorOrNil()
}

// giveBack takes a route off the candidate, first proving the live app serves it (mapping it
// back when the interrupted cutover had already unmapped it).
func (d *deployer) giveBack(ctx context.Context, r platform.Route, appGUID string) error {
	if _, internal := d.Routed([]platform.Route{r}); len(internal) > 0 {
		return d.giveBackInternal(ctx, r, appGUID)
	}
	if d.Live != nil {
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
	_, err := d.AppAbsent(ctx, r, appGUID, instances)
	return err
}

// giveBackInternal gives an internal route back: no router serves it, so nothing can be proven;
// the live app is mapped again before the candidate leaves it.
func (d *deployer) giveBackInternal(ctx context.Context, r platform.Route, appGUID string) error {
	if d.Live != nil {
		if err := d.p.Map(ctx, r.GUID, d.Live.GUID, r.Protocols[d.Live.GUID]); err != nil {
			return err
		}
	}
	return d.p.Unmap(ctx, r.GUID, appGUID)
}

// reclaim maps the live app back to the route and proves it serves there. When the live app had
// been unmapped, its removal may still be on its way to a router (each applies removals after
// its own lag, and one can overtake a later registration): the live app would pass the proof
// there, still registered, and be removed right after. So it is proven gone first.
func (d *deployer) reclaim(ctx context.Context, r platform.Route) error {
	current, err := d.p.Route(ctx, r.GUID)
	if err != nil {
		return err
	}
	if _, mapped := current.Dests[d.Live.GUID]; !mapped {
		if _, err := d.AppAbsent(ctx, r, d.Live.GUID, d.LiveSize.Instances); err != nil {
			return err
		}
	}
	if err := d.p.Map(ctx, r.GUID, d.Live.GUID, r.Protocols[d.Live.GUID]); err != nil {
		return err
	}
	_, err = d.AppPresent(ctx, r, d.Live.GUID, d.LiveSize.Instances)
	return err
}

// abandon removes the candidate once it serves no live route: its temporary route goes, and it
// is deleted, or kept stopped as APP-failed (keep_failed).
func (d *deployer) abandon(ctx context.Context, cand *platform.App, keepFailed bool) error {
	errs := &multierror.Error{}
	if temp, err := d.temporaryRoute(ctx, cand); err != nil || temp.GUID != "" {
		errs = multierror.Append(errs, err)
		if temp.GUID != "" {
			errs = multierror.Append(errs, d.p.DeleteRoute(ctx, temp.GUID))
		}
	}
	if !keepFailed {
		return multierror.Append(errs, d.p.DeleteApp(ctx, cand.GUID)).ErrorOrNil()
	}
	errs = multierror.Append(errs, d.p.Stop(ctx, cand.GUID))
	if old, err := d.p.AppByName(ctx, d.Space.GUID, failedName(d.o.App)); err == nil && old != nil {
		errs = multierror.Append(errs, d.p.DeleteApp(ctx, old.GUID))
	}
	role := bluegreen.RoleFailed
	errs = multierror.Append(errs, d.p.Update(ctx, cand.GUID, failedName(d.o.App),
		map[string]*string{bluegreen.LabelRole: &role}, map[string]*string{bluegreen.AnnLeaseExpires: nil}))
	return errs.ErrorOrNil()
}

// temporaryRoute is the candidate's temporary route: the one this run made, or the one a
// killed run left mapped to it.
func (d *deployer) temporaryRoute(ctx context.Context, cand *platform.App) (platform.Route, error) {
	if d.candidate != nil && cand.GUID == d.candidate.GUID {
		return d.tempRoute, nil
	}
	routes, err := d.p.AppRoutes(ctx, cand.GUID)
	for _, r := range routes {
		if r.Host == d.o.temporaryHost() {
			return r, err
		}
	}
	return platform.Route{}, err
}

// finishFinalize completes the finalize step of an interrupted deploy: traffic had already
// moved and been observed, so the candidate becomes APP.
func (d *deployer) finishFinalize(ctx context.Context, cand *platform.App) error {
	if d.Live != nil && d.Live.GUID != cand.GUID {
		if err := d.retireLive(ctx); err != nil {
			return err
		}
	}
	saved := d.Res
	d.tempRoute, _ = d.temporaryRoute(ctx, cand)
	if err := d.promote(ctx, cand); err != nil {
		return err
	}
	d.Res = saved
	d.Log.Note("healed: finished promoting %s to %s", cand.Name, d.o.App)
	return d.FindLive(ctx)
}

// recovered says what recover left, for an abort's report.
func (d *deployer) recovered(cleanup error) string {
	cand := candidateName(d.o.App)
	gone := cand + " and its temporary route were removed"
	if d.o.KeepFailed {
		gone = fmt.Sprintf("%s was kept stopped as %s (params.keep_failed), its temporary route removed", cand, failedName(d.o.App))
	}
	if cleanup != nil {
		gone = fmt.Sprintf("removing %s failed (%v), the next run heals it", cand, bluegreen.Flatten(cleanup))
	}
	serving := d.o.App + " does not exist, as before this first deploy"
	if d.Live != nil {
		serving = fmt.Sprintf("%s (%s) serves alone, as before", d.Live.Name, d.Live.GUID)
	}
	switch {
	case d.cutover && d.Live != nil:
		return fmt.Sprintf("traffic was switched back to %s, proven on every router; %s: %s", d.Live.Name, gone, serving)
	case d.cutover:
		return fmt.Sprintf("%s was taken off its routes, proven on every router; %s: %s", cand, gone, serving)
	case d.candidate != nil:
		return fmt.Sprintf("no live traffic had moved; %s: %s", gone, serving)
	}
	return "nothing was changed: " + serving
}
