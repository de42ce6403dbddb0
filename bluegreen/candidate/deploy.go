// Package candidate is the blue-green flow: the new version is built as a second app,
// APP-candidate, proven through the routers on a temporary route, then given the live routes;
// the old app is unmapped, proven gone, and retired as APP-previous. The candidate app is also
// the lease (only one deploy per app at a time) and carries the journal a rerun heals from.
package candidate

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// deployer carries one blue-green deploy's state from step to step.
type deployer struct {
	*bluegreen.Run
	p          Platform
	o          Options
	lease      *bluegreen.Lease
	candidate  *platform.App
	tempRoute  platform.Route
	liveRoutes []platform.Route // the routes the new version serves
	dropRoutes []platform.Route // the live app's routes the new version does not take (exact_routes, no-route)
	instances  int
	uploading  *bluegreen.Background[bluegreen.Uploaded] // the bits, uploaded while CC applies the manifest
	pkg        string                                    // the uploaded package
	reached    string                                    // the journal's last step, as this run knows it
	cutover    bool                                      // traffic may have moved: a failure must switch back
	cutAt      time.Time                                 // when, for the analysis's old-version baseline
	finalizing bool                                      // the old app may be stopped: the candidate must keep serving
}

// Deploy runs a blue-green deploy. On any failure it puts the space back to one serving version
// and returns the failure, with cleanup errors.
//
// An abort (ctx canceled) stops it at the next safe point and is recovered from the same way;
// the error then wraps bluegreen.ErrAborted and says what the app was left in.
func Deploy(ctx context.Context, p Platform, pr bluegreen.Prober, o Options, log *bluegreen.Timeline) (bluegreen.Result, error) {
	run := bluegreen.NewRun(ctx, settled(p), pr, o.Target, o.Timeouts, log)
	ctx, cancel := context.WithTimeout(ctx, o.Timeouts.Overall)
	defer cancel()
	d := &deployer{Run: run, p: settled(p), o: o}
	if err := d.prepare(ctx); err != nil {
		return d.Res, d.Outcome(err)
	}
	// The lease outlives an abort: it is held until the recovery has put the app back.
	lease, release := bluegreen.Uninterrupted(ctx)
	defer release()
	d.lease.Heartbeat(lease)
	err := d.deploy(ctx)
	if err != nil {
		err = d.recover(ctx, err)
	}
	d.lease.Stop()
	return d.Res, d.Outcome(err)
}

// prepare finds the space and the live app, checks the quota, and takes the lease. Nothing
// has changed on the foundation when it fails, apart from healing an earlier deploy.
func (d *deployer) prepare(ctx context.Context) error {
	if err := d.Resolve(ctx); err != nil {
		return err
	}
	d.NoteTarget()
	if err := bluegreen.MaintenanceSettled(d.Live); err != nil {
		return err
	}
	if err := d.CheckPush(ctx, d.o.Push, d.p); err != nil {
		return err
	}
	if len(d.o.Checks) > 0 && d.o.NoRoute {
		return fmt.Errorf("params.smoke_checks: %s has no routes (no-route in the manifest): there is nothing to check", d.o.App)
	}
	d.lease = &bluegreen.Lease{CC: d.p, Log: d.Log, SpaceGUID: d.Space.GUID, For: d.o.App,
		Name: candidateName(d.o.App), Role: bluegreen.RoleCandidate, TTL: d.o.LeaseTTL, Build: d.o.Build, ID: bluegreen.NewID(),
		Docker: d.o.Bits.Docker != nil} // the candidate becomes the new version: a docker image needs a docker app
	if err := d.Phase(ctx, "check quota", d.checkQuota); err != nil {
		return err
	}
	d.At("take the lease")
	err := d.Log.Step("take the lease ("+candidateName(d.o.App)+")", func() error {
		var err error
		d.candidate, err = d.lease.Take(ctx, d.o.Timeouts.Lease, d.heal)
		return err
	})
	if err != nil {
		return d.Failed(ctx, err)
	}
	d.reached = stepCreated
	// Read the live app again: a deploy we waited for, or healing, may have replaced it.
	if err := d.FindLive(ctx); err != nil {
		return d.recover(ctx, d.Failed(ctx, err)) // releases the lease
	}
	return nil
}

// deploy builds and verifies the candidate, moves traffic, observes, and finalizes.
func (d *deployer) deploy(ctx context.Context) error {
	// An upload still running when a step fails ends before recovery.
	defer d.uploading.Stop()
	// A release of several apps leases every app before the first changes anything.
	if err := d.o.Hold.AtLeased(ctx); err != nil {
		return err
	}
	steps := []bluegreen.Step{
		{Name: "resolve routes", Do: d.resolveRoutes},
		{Name: "apply manifest", Do: d.applyManifest},
	}
	if drop := d.o.Bits.Droplet; drop != nil {
		steps = append(steps, bluegreen.Step{Name: "upload droplet " + bluegreen.Short(drop.SHA256), Do: d.uploadDroplet})
	} else {
		steps = append(steps, bluegreen.Step{Name: d.o.Bits.PackageStep(), Do: d.upload}, bluegreen.Step{Name: "stage", Do: d.stage})
	}
	if d.Live != nil {
		steps = append(steps, bluegreen.Step{Name: "carry over", Do: d.carryOver})
	}
	if d.o.Migration != nil {
		steps = append(steps, bluegreen.Step{Name: "migrate", Do: func(ctx context.Context) error {
			return d.Migrate(ctx, d.p, d.candidate, d.Res.DropletGUID, d.o.Migration)
		}})
	}
	steps = append(steps, bluegreen.Step{Name: "start", Do: d.start})
	if d.o.Settle > 0 {
		steps = append(steps, bluegreen.Step{Name: "settle", Do: d.settle})
	}
	if !d.o.NoRoute { // an app without routes (a worker) has nothing to verify or check
		steps = append(steps, bluegreen.Step{Name: "verify temporary route", Do: d.verifyTemporary},
			bluegreen.Step{Name: "smoke checks", Do: d.smokeChecks})
	}
	steps = append(steps, []bluegreen.Step{
		{Name: "cut over", Do: d.cutOver},
		{Name: "drain", Do: d.drain},
		{Name: "observe", Do: d.observe},
	}...)
	if d.o.Hold.Holds() { // the old app still runs: until finalize, switching back is quick
		steps = append(steps, bluegreen.Step{Name: "wait for the other apps", Do: d.o.Hold.AtProven})
	}
	steps = append(steps, bluegreen.Step{Name: "finalize", Do: d.finalize})
	return d.Steps(ctx, steps)
}

// settle watches every process of the candidate for params.settle: one that crashes late fails
// the deploy before the old version stops serving anything.
func (d *deployer) settle(ctx context.Context) error {
	return d.Settle(ctx, d.candidate, d.o.Settle)
}

// record writes how far the deploy got into the journal and renews the lease.
func (d *deployer) record(ctx context.Context, step string) {
	d.reached = step
	d.lease.Record(ctx, step)
}

// drain leaves the old app running a while for requests it was already serving.
func (d *deployer) drain(ctx context.Context) error {
	return poll.Sleep(ctx, d.o.Drain)
}

// observe watches the live routes for a while after cutover; too many failures fail the deploy
// (and so switch traffic back).
func (d *deployer) observe(ctx context.Context) error {
	if d.o.Observe == nil || len(d.liveRoutes) == 0 {
		return nil
	}
	d.record(ctx, stepObserve)
	return d.Observe(ctx, d.liveRoutes, d.o.Observe, d.analysisWindow())
}

// analysisWindow is what params.analysis compares after cutover: the new app's requests, and
// the old app's over the same length of time before the cutover (it has none since).
func (d *deployer) analysisWindow() analysis.Window {
	w := analysis.Window{New: analysis.Target{AppGUID: d.candidate.GUID}}
	if d.Live != nil {
		w.Old, w.BaselineEnd = analysis.Target{AppGUID: d.Live.GUID}, d.cutAt
	}
	return w
}
