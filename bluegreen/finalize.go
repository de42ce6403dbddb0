package bluegreen

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// finalize: the old app stops and becomes APP-previous (or goes, with keep_previous 0), older
// previous versions shift down and the oldest beyond keep_previous are deleted, the candidate
// becomes APP, and the temporary route goes. Traffic no longer depends on any of it.
//
// An abort does not interrupt it: the candidate already serves every route alone, so finishing
// (a few quick requests) leaves one clean state, where switching back would soon map a stopped
// app. A SIGKILL meanwhile leaves it to the next run's healing.
func (d *deployer) finalize(ctx context.Context) error {
	ctx, cancel := uninterrupted(ctx)
	defer cancel()
	d.setStep(ctx, "finalize")
	// From here the candidate keeps serving whatever fails, and the lease stops being renewed
	// before the candidate is renamed (a renewal would rename it back).
	d.finalizing = true
	cand := d.candidate
	d.log.Note("finalizing: %s serves every route alone", cand.Name)
	d.stopLease()
	if err := d.retireLive(ctx); err != nil {
		return err
	}
	if err := d.promote(ctx, cand); err != nil {
		return err
	}
	d.left = fmt.Sprintf("%s already served every route alone, so finalize was finished: it is %s (%s) now%s",
		cand.Name, d.plan.App, cand.GUID, d.retired())
	return nil
}

// retired says what became of the old app, for an abort's report.
func (d *deployer) retired() string {
	switch {
	case d.live == nil:
		return ""
	case d.plan.KeepPrevious == 0:
		return ", the old version deleted"
	}
	return ", the old version stopped as " + previousName(d.plan.App, 0)
}

func (d *deployer) retireLive(ctx context.Context) error {
	if d.live == nil {
		return nil
	}
	if err := d.p.Stop(ctx, d.live.GUID); err != nil {
		return err
	}
	previous, err := d.previousApps(ctx)
	if err != nil {
		return err
	}
	kept := append([]*cf.App{d.live}, previous...)
	for i := len(kept) - 1; i >= d.plan.KeepPrevious; i-- {
		if err := d.p.DeleteApp(ctx, kept[i].GUID); err != nil {
			return err
		}
	}
	return d.renamePrevious(ctx, kept[:min(d.plan.KeepPrevious, len(kept))])
}

// previousApps lists this app's kept previous versions, newest first.
func (d *deployer) previousApps(ctx context.Context) ([]*cf.App, error) {
	apps, err := d.p.AppsWithLabel(ctx, d.space.GUID, labelRole, rolePrevious)
	if err != nil {
		return nil, err
	}
	var out []*cf.App
	for _, a := range apps {
		if a.Annotations[annApp] == d.plan.App && a.GUID != d.live.GUID {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return deployedAt(out[i]).After(deployedAt(out[j])) })
	return out, nil
}

// renamePrevious names the kept versions APP-previous, APP-previous-2, ... renaming the
// oldest first so no name is taken twice.
func (d *deployer) renamePrevious(ctx context.Context, kept []*cf.App) error {
	role, app := rolePrevious, d.plan.App
	for i := len(kept) - 1; i >= 0; i-- {
		ann := map[string]*string{annApp: &app, annLeaseExpires: nil}
		if kept[i].Annotations[annDeployedAt] == "" {
			at := kept[i].Created.UTC().Format(time.RFC3339Nano)
			ann[annDeployedAt] = &at
		}
		if err := d.p.Update(ctx, kept[i].GUID, previousName(d.plan.App, i), map[string]*string{labelRole: &role}, ann); err != nil {
			return err
		}
	}
	return nil
}

// promote renames the candidate to APP, marks it live and drops its temporary route.
func (d *deployer) promote(ctx context.Context, cand *cf.App) error {
	// The temporary route goes while the lease is still held: the next deploy, waiting for
	// the lease, would otherwise find this route and use it just before it is deleted.
	if err := d.p.Unmap(ctx, d.tempRoute.GUID, cand.GUID); err != nil {
		return err
	}
	if err := d.p.DeleteRoute(ctx, d.tempRoute.GUID); err != nil {
		return err
	}
	role, at := roleLive, time.Now().UTC().Format(time.RFC3339Nano)
	ann := map[string]*string{annLeaseExpires: nil, annStep: nil, annDeployedAt: &at}
	if err := d.p.Update(ctx, cand.GUID, d.plan.App, map[string]*string{labelRole: &role}, ann); err != nil {
		return err
	}
	d.candidate = nil // the lease is released: the candidate name is free
	d.res.AppName, d.res.AppGUID = d.plan.App, cand.GUID
	rev, err := d.p.DeployedRevision(ctx, cand.GUID)
	if err != nil {
		return err
	}
	d.res.RevisionGUID = rev
	return nil
}

// finishFinalize completes the finalize step of an interrupted deploy: traffic had already
// moved and been observed, so the candidate becomes APP.
func (d *deployer) finishFinalize(ctx context.Context, cand *cf.App) error {
	if d.live != nil && d.live.GUID != cand.GUID {
		if err := d.retireLive(ctx); err != nil {
			return err
		}
	}
	saved := d.res
	d.tempRoute, _ = d.p.EnsureRoute(ctx, d.space.GUID, d.domains[d.defDomain], d.plan.temporaryHost(), "")
	if err := d.promote(ctx, cand); err != nil {
		return err
	}
	d.res = saved
	d.log.Note("healed: finished promoting %s to %s", cand.Name, d.plan.App)
	return d.findLive(ctx)
}

// deployedAt is when a version went live: its annotation, else when it was created.
func deployedAt(a *cf.App) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, a.Annotations[annDeployedAt]); err == nil {
		return t
	}
	return a.Created
}
