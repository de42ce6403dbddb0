package bluegreen

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

func probeRoute(r cf.Route) probe.Route { return probe.Route{Host: r.Hostname(), Path: r.Path} }

// awaitPresent proves through the routers that every instance of the app serves the route.
func (d *deployer) awaitPresent(ctx context.Context, r cf.Route, appGUID string, instances int) (probe.Result, error) {
	return d.await(ctx, d.pr.AwaitPresent, r, appBackend(appGUID, instances), "serves", "routers did not all serve it")
}

// awaitAbsent proves that no router sends the route to the app any more.
func (d *deployer) awaitAbsent(ctx context.Context, r cf.Route, appGUID string, instances int) (probe.Result, error) {
	return d.await(ctx, d.pr.AwaitAbsent, r, appBackend(appGUID, instances), "is gone from", "routers still served it")
}

type awaitFunc func(context.Context, probe.Route, probe.Backend) (probe.Result, error)

func appBackend(appGUID string, instances int) probe.Backend {
	return probe.Backend{AppGUID: appGUID, Instances: max(instances, 1)}
}

func processBackend(processGUID string, instances int) probe.Backend {
	return probe.Backend{ProcessGUID: processGUID, Instances: max(instances, 1)}
}

// await runs one verification with the verify timeout, naming what was being proven.
func (d *deployer) await(ctx context.Context, f awaitFunc, r cf.Route, b probe.Backend, what, late string) (probe.Result, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, d.plan.Timeouts.Verify,
		fmt.Errorf("%s within %s (params.verify_timeout)", late, d.plan.Timeouts.Verify))
	defer cancel()
	res, err := f(ctx, probeRoute(r), b)
	if err != nil {
		return res, fmt.Errorf("verify %s %s %s: %w", b.AppGUID+b.ProcessGUID, what, r.URL, err)
	}
	return res, nil
}

func (d *deployer) verifyTemporary(ctx context.Context) error {
	res, err := d.awaitPresent(ctx, d.tempRoute, d.candidate.GUID, d.instances)
	if err != nil {
		return err
	}
	d.log.Note("%s serves %s on every router (%d probes, %s)", d.candidate.Name, d.tempRoute.URL, res.Probes, round(res.Elapsed))
	d.setStep(ctx, "verified")
	return nil
}

func (d *deployer) smokeChecks(ctx context.Context) error {
	for _, c := range d.plan.Checks {
		res, err := d.pr.RunCheck(ctx, probeRoute(d.tempRoute), c)
		if err != nil {
			return err
		}
		d.log.Note("smoke check %s passed (%d requests)", c.Path, res.Requests)
	}
	return nil
}

// cutOver maps every live route to the candidate, proves the candidate serves each, then
// unmaps the old app and proves it is gone from each. Only then is old traffic gone.
func (d *deployer) cutOver(ctx context.Context) error {
	d.cutover = true
	d.setStep(ctx, "cutover")
	for _, r := range d.liveRoutes {
		if err := d.p.Map(ctx, r.GUID, d.candidate.GUID); err != nil {
			return err
		}
	}
	if err := d.proveServes(ctx, d.candidate); err != nil {
		return err
	}
	if d.live == nil {
		return nil
	}
	for _, r := range d.liveRoutes {
		if err := d.p.Unmap(ctx, r.GUID, d.live.GUID); err != nil {
			return err
		}
	}
	for _, r := range d.liveRoutes {
		res, err := d.awaitAbsent(ctx, r, d.live.GUID, d.liveSize.Instances)
		if err != nil {
			return err
		}
		d.log.Note("%s is gone from %s on every router (%d probes, %s)", d.live.Name, r.URL, res.Probes, round(res.Elapsed))
	}
	return nil
}

// proveServes proves every instance of app serves every live route, recording the cost.
func (d *deployer) proveServes(ctx context.Context, app *cf.App) error {
	for _, r := range d.liveRoutes {
		res, err := d.awaitPresent(ctx, r, app.GUID, d.instances)
		if err != nil {
			return err
		}
		d.res.Verified = append(d.res.Verified, Verification{Route: r.URL, Probes: res.Probes, Elapsed: res.Elapsed})
		d.log.Note("%s serves %s on every router (%d probes, %s)", app.Name, r.URL, res.Probes, round(res.Elapsed))
	}
	return nil
}

// drain leaves the old app running a while for requests it was already serving.
func (d *deployer) drain(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(d.plan.Drain):
		return nil
	}
}

// observe watches the live routes for a while after cutover; too many failures fail the deploy
// (and so switch traffic back).
func (d *deployer) observe(ctx context.Context) error {
	o := d.plan.Observe
	if o == nil || len(d.liveRoutes) == 0 {
		return nil
	}
	d.setStep(ctx, "observe")
	failures := 0
	end := time.Now().Add(o.Duration)
	for time.Now().Before(end) {
		for _, r := range d.liveRoutes {
			if _, err := d.pr.RunCheck(ctx, probeRoute(r), o.Check); err != nil {
				failures++
				d.log.Fail("observation: %s: %v", r.URL, err)
			}
		}
		if failures > o.FailureLimit {
			return fmt.Errorf("%d failed checks in the observation window (params.observe.failure_limit %d)", failures, o.FailureLimit)
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(o.Interval):
		}
	}
	return nil
}

// switchBack gives every live route back to the old app, proven, then takes the candidate off.
func (d *deployer) switchBack(ctx context.Context) error {
	errs := &multierror.Error{}
	for _, r := range d.liveRoutes {
		errs = multierror.Append(errs, d.giveBack(ctx, r, d.candidate.GUID))
	}
	return errs.ErrorOrNil()
}

// abandon removes the candidate after a failure: its crash reasons are printed, it is
// deleted (or kept stopped as APP-failed with keep_failed), and the temporary route goes.
func (d *deployer) abandon(ctx context.Context) error {
	if d.candidate == nil {
		return nil
	}
	errs := &multierror.Error{}
	if d.tempRoute.GUID != "" {
		errs = multierror.Append(errs, d.p.DeleteRoute(ctx, d.tempRoute.GUID))
	}
	if !d.plan.KeepFailed {
		return multierror.Append(errs, d.p.DeleteApp(ctx, d.candidate.GUID)).ErrorOrNil()
	}
	errs = multierror.Append(errs, d.p.Stop(ctx, d.candidate.GUID))
	if old, err := d.p.AppByName(ctx, d.space.GUID, failedName(d.plan.App)); err == nil && old != nil {
		errs = multierror.Append(errs, d.p.DeleteApp(ctx, old.GUID))
	}
	role := roleFailed
	errs = multierror.Append(errs, d.p.Update(ctx, d.candidate.GUID, failedName(d.plan.App),
		map[string]*string{labelRole: &role}, map[string]*string{annLeaseExpires: nil}))
	return errs.ErrorOrNil()
}
