package candidate

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func (d *deployer) verifyTemporary(ctx context.Context) error {
	res, err := d.AppPresent(ctx, d.tempRoute, d.candidate.GUID, d.instances)
	if err != nil {
		return err
	}
	d.Log.Note("%s serves %s on every router (%d probes, %s)", d.candidate.Name, d.tempRoute.URL, res.Probes, bluegreen.Round(res.Elapsed))
	d.record(ctx, stepVerified)
	return nil
}

func (d *deployer) smokeChecks(ctx context.Context) error {
	for _, c := range d.o.Checks {
		res, err := d.Probe.RunCheck(ctx, bluegreen.ProbeRoute(d.tempRoute), c)
		if err != nil {
			return err
		}
		d.Log.Note("smoke check %s passed (%d requests)", c.Path, res.Requests)
	}
	return nil
}

// cutOver maps every live route to the candidate, proves the candidate serves each, then
// unmaps the old app and proves it is gone from each. Only then is old traffic gone.
func (d *deployer) cutOver(ctx context.Context) error {
	d.cutover = true
	d.record(ctx, stepCutover)
	for _, r := range d.liveRoutes {
		if err := d.p.Map(ctx, r.GUID, d.candidate.GUID, d.protocol(r)); err != nil {
			return err
		}
	}
	if err := d.ProveServes(ctx, d.liveRoutes, d.candidate, d.instances); err != nil {
		return err
	}
	if d.Live == nil {
		return nil
	}
	for _, r := range d.liveRoutes {
		if err := d.p.Unmap(ctx, r.GUID, d.Live.GUID); err != nil {
			return err
		}
	}
	for _, r := range d.liveRoutes {
		res, err := d.AppAbsent(ctx, r, d.Live.GUID, d.LiveSize.Instances)
		if err != nil {
			return err
		}
		d.Log.Note("%s is gone from %s on every router (%d probes, %s)", d.Live.Name, r.URL, res.Probes, bluegreen.Round(res.Elapsed))
	}
	return nil
}

// protocol is the destination protocol the candidate gets on a live route: the manifest's,
// else the one the live app has there (an http2 route stays http2).
func (d *deployer) protocol(r platform.Route) string {
	if p := d.o.RouteProtocols[r.URL]; p != "" {
		return p
	}
	if d.Live != nil {
		return r.Protocols[d.Live.GUID]
	}
	return ""
}
