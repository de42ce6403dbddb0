package candidate

import (
	"context"
	"maps"
	"sort"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// finalize: the old app stops and becomes APP-previous (or goes, with keep_previous 0), older
// previous versions shift down and the oldest beyond keep_previous are deleted, the candidate
// becomes APP, and the temporary route goes. Traffic no longer depends on any of it.
//
// An abort does not interrupt it: the candidate already serves every route alone, so finishing
// (a few quick requests) leaves one clean state, where switching back would soon map a stopped
// app. A SIGKILL meanwhile leaves it to the next run's healing.
func (d *deployer) finalize(ctx context.Context) error {
	ctx, cancel := bluegreen.Uninterrupted(ctx)
	defer cancel()
	d.record(ctx, stepFinalize)
	// From here the candidate keeps serving whatever fails. The lease is renewed until the
	// candidate is renamed: a deploy waiting for it must not heal this one while it retires the
	// old app, however long that takes.
	d.finalizing = true
	cand := d.candidate
	d.Log.Note("finalizing: %s serves every route alone", cand.Name)
	if err := d.retireLive(ctx); err != nil {
		return err
	}
	if err := d.promote(ctx, cand); err != nil {
		return err
	}
	d.Leave("%s already served every route alone, so finalize was finished: it is %s (%s) now%s",
		cand.Name, d.o.App, cand.GUID, d.retired())
	return nil
}

// retired says what became of the old app, for an abort's report.
func (d *deployer) retired() string {
	switch {
	case d.Live == nil:
		return ""
	case d.o.KeepPrevious == 0:
		return ", the old version deleted"
	}
	return ", the old version stopped as " + previousName(d.o.App, 0)
}

func (d *deployer) retireLive(ctx context.Context) error {
	if d.Live == nil {
		return nil
	}
	if err := d.p.Stop(ctx, d.Live.GUID); err != nil {
		return err
	}
	previous, err := d.previousApps(ctx)
	if err != nil {
		return err
	}
	kept := append([]*platform.App{d.Live}, previous...)
	for i := len(kept) - 1; i >= d.o.KeepPrevious; i-- {
		if err := d.p.DeleteApp(ctx, kept[i].GUID); err != nil {
			return err
		}
	}
	return d.renamePrevious(ctx, kept[:min(d.o.KeepPrevious, len(kept))])
}

// previousApps lists this app's kept previous versions, newest first.
func (d *deployer) previousApps(ctx context.Context) ([]*platform.App, error) {
	apps, err := d.p.AppsWithLabel(ctx, d.Space.GUID, bluegreen.LabelRole, bluegreen.RolePrevious)
	if err != nil {
		return nil, err
	}
	var out []*platform.App
	for _, a := range apps {
		if a.Annotations[bluegreen.AnnApp] == d.o.App && a.GUID != d.Live.GUID {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return bluegreen.DeployedAt(out[i]).After(bluegreen.DeployedAt(out[j])) })
	return out, nil
}

// renamePrevious names the kept versions APP-previous, APP-previous-2, ... renaming the
// oldest first so no name is taken twice.
func (d *deployer) renamePrevious(ctx context.Context, kept []*platform.App) error {
	role, app := bluegreen.RolePrevious, d.o.App
	for i := len(kept) - 1; i >= 0; i-- {
		ann := map[string]*string{bluegreen.AnnApp: &app, bluegreen.AnnLeaseExpires: nil}
		if kept[i].Annotations[bluegreen.AnnDeployedAt] == "" {
			at := bluegreen.Timestamp(kept[i].Created)
			ann[bluegreen.AnnDeployedAt] = &at
		}
		if err := d.p.Update(ctx, kept[i].GUID, previousName(d.o.App, i), map[string]*string{bluegreen.LabelRole: &role}, ann); err != nil {
			return err
		}
	}
	return nil
}

// promote renames the candidate to APP, marks it live and drops its temporary route.
func (d *deployer) promote(ctx context.Context, cand *platform.App) error {
	// The temporary route goes while the lease is still held: the next deploy, waiting for
	// the lease, would otherwise find this route and use it just before it is deleted.
	if err := d.dropTemporaryRoute(ctx, cand); err != nil {
		return err
	}
	role, at := bluegreen.RoleLive, bluegreen.Timestamp(time.Now())
	ann := map[string]*string{bluegreen.AnnLeaseExpires: nil, bluegreen.AnnStep: nil, bluegreen.AnnDeployedAt: &at}
	if d.Live != nil && d.Live.GUID != cand.GUID {
		maps.Copy(ann, bluegreen.MaintenanceJournal(d.Live)) // maintenance off moves the routes to the new version
	}
	if err := d.lease.Rename(ctx, cand.GUID, d.o.App, map[string]*string{bluegreen.LabelRole: &role}, ann); err != nil {
		return err
	}
	d.lease.Stop()
	d.candidate = nil // the lease is released: the candidate name is free
	d.Res.AppName, d.Res.AppGUID = d.o.App, cand.GUID
	rev, err := d.p.DeployedRevision(ctx, cand.GUID)
	if err != nil {
		return err
	}
	d.Res.RevisionGUID = rev
	return nil
}

// dropTemporaryRoute takes the candidate off its temporary route and deletes it (an app without
// routes has none).
func (d *deployer) dropTemporaryRoute(ctx context.Context, cand *platform.App) error {
	if d.tempRoute.GUID == "" {
		return nil
	}
	if err := d.p.Unmap(ctx, d.tempRoute.GUID, cand.GUID); err != nil {
		return err
	}
	return d.p.DeleteRoute(ctx, d.tempRoute.GUID)
}
