package cfpush

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Route finds the route host.DOMAIN of the pusher's space.
func (p *Pusher) Route(ctx context.Context, host string) (*resource.Route, error) {
	opts := client.NewRouteListOptions()
	opts.Hosts.EqualTo(host)
	opts.SpaceGUIDs.EqualTo(p.SpaceGUID)
	routes, err := p.CF.Routes.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("find route %s: %w", host, err)
	}
	if len(routes) == 0 {
		return nil, fmt.Errorf("route %s.%s not found", host, p.Domain)
	}
	return routes[0], nil
}

// Map maps the route to the app (cf map-route): CC answers at once, the routers learn later.
func (p *Pusher) Map(ctx context.Context, routeGUID, appGUID string) error {
	_, err := p.CF.Routes.InsertDestinations(ctx, routeGUID,
		[]*resource.RouteDestinationInsertOrReplace{resource.NewRouteDestinationInsertOrReplace(appGUID)})
	if err != nil {
		return fmt.Errorf("map route %s to %s: %w", routeGUID, appGUID, err)
	}
	return nil
}

// Unmap removes the app's destinations from the route (cf unmap-route).
func (p *Pusher) Unmap(ctx context.Context, routeGUID, appGUID string) error {
	dests, err := p.CF.Routes.GetDestinations(ctx, routeGUID)
	if err != nil {
		return fmt.Errorf("unmap route %s: %w", routeGUID, err)
	}
	for _, d := range dests.Destinations {
		if d.App.GUID != nil && *d.App.GUID == appGUID {
			if err := p.CF.Routes.RemoveDestination(ctx, routeGUID, *d.GUID); err != nil {
				return fmt.Errorf("unmap route %s from %s: %w", routeGUID, appGUID, err)
			}
		}
	}
	return nil
}

// WaitRunning polls the app's web instances until at least want are RUNNING (want 0: all of
// them), as cf push and cf start wait, or ctx ends.
func (p *Pusher) WaitRunning(ctx context.Context, appGUID string, want int) error {
	for {
		stats, err := p.CF.Processes.GetStatsForApp(ctx, appGUID, "web")
		if err == nil && running(stats, want) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("app %s: instances not running: %w", appGUID, context.Cause(ctx))
		case <-time.After(p.Poll.CheckInterval):
		}
	}
}

func running(stats *resource.ProcessStats, want int) bool {
	n := 0
	for _, s := range stats.Stats {
		if s.State == "RUNNING" {
			n++
		}
	}
	if want == 0 {
		return len(stats.Stats) > 0 && n == len(stats.Stats)
	}
	return n >= want
}
