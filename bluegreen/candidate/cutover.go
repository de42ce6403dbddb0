package candidate

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
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
// unmaps the old app and proves it is gone from each. Only then is old traffic gone. Internal
// routes reach no router, so they cannot be proven: they get a grace to reach the platform's
// DNS instead, before the old app leaves them. Routes the new version does not take (exact
// routes, no-route) are unmapped from the old app with the others.
func (d *deployer) cutOver(ctx context.Context) error {
	d.cutover, d.cutAt = true, time.Now()
	d.record(ctx, stepCutover)
	for _, r := range d.liveRoutes {
		if err := d.p.Map(ctx, r.GUID, d.candidate.GUID, d.protocol(r)); err != nil {
			return err
		}
	}
	routed, internal := d.Routed(d.liveRoutes)
	if err := d.ProveServes(ctx, routed, d.candidate, d.instances); err != nil {
		return err
	}
	if err := d.internalGrace(ctx, internal); err != nil {
		return err
	}
	if d.Live == nil {
		return nil
	}
	return d.leaveOld(ctx, append(slices.Clone(d.liveRoutes), d.dropRoutes...))
}

// leaveOld unmaps the old app from the routes and proves it gone from those the routers serve.
// The temporary route has done its work once the candidate serves the live routes: it goes
// meanwhile, so its deletion job runs while the routers catch up instead of after. Its failure
// fails nothing: finalize tries again, as it did before the route went early.
func (d *deployer) leaveOld(ctx context.Context, routes []platform.Route) error {
	for _, r := range routes {
		if err := d.p.Unmap(ctx, r.GUID, d.Live.GUID); err != nil {
			return err
		}
	}
	drop := d.startDroppingTemporaryRoute(ctx)
	err := d.proveOldGone(ctx, routes)
	if _, dropErr := drop.Result(context.WithoutCancel(ctx)); dropErr != nil {
		d.Log.Note("the temporary route %s stays until finalize: %v", d.tempRoute.URL, dropErr)
	} else {
		d.tempRoute = platform.Route{}
	}
	return err
}

// startDroppingTemporaryRoute unmaps and deletes the temporary route in the background; a
// request already sent finishes even after an abort, so the run knows whether the route is gone.
func (d *deployer) startDroppingTemporaryRoute(ctx context.Context) *bluegreen.Background[struct{}] {
	ctx, cancel := bluegreen.Uninterrupted(ctx)
	cand := d.candidate
	return bluegreen.Start(ctx, func(ctx context.Context) (struct{}, error) {
		defer cancel()
		return struct{}{}, d.dropTemporaryRoute(ctx, cand)
	})
}

// proveOldGone proves the old app gone from every route the routers serve.
func (d *deployer) proveOldGone(ctx context.Context, routes []platform.Route) error {
	routed, _ := d.Routed(routes)
	for _, r := range routed {
		res, err := d.AppAbsent(ctx, r, d.Live.GUID, d.LiveSize.Instances)
		if err != nil {
			return err
		}
		d.Log.Note("%s is gone from %s on every router (%d probes, %s)", d.Live.Name, r.URL, res.Probes, bluegreen.Round(res.Elapsed))
	}
	return nil
}

// internalGrace waits params.internal_route_grace once internal routes are mapped: apps reach
// them through the platform's service discovery, which no probe through the routers can see.
func (d *deployer) internalGrace(ctx context.Context, internal []platform.Route) error {
	if len(internal) == 0 {
		return nil
	}
	var urls []string
	for _, r := range internal {
		urls = append(urls, r.URL)
	}
	d.Log.Note("%s: internal routes reach no router, so they cannot be proven through them; waiting %s (params.internal_route_grace) for service discovery before the old app leaves them",
		strings.Join(urls, ", "), d.o.InternalGrace)
	return poll.Sleep(ctx, d.o.InternalGrace)
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
