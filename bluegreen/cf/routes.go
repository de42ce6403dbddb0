package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"fmt"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

func toRoute(r *resource.Route) platform.Route {
	out := platform.Route{GUID: r.GUID, Host: r.Host, Path: r.Path, URL: r.URL, Dests: map[string]string{},
		Protocols: map[string]string{}}
	if r.Relationships.Domain.Data != nil {
		out.DomainGUID = r.Relationships.Domain.Data.GUID
	}
	for _, d := range r.Destinations {
		if d.App.GUID != nil && d.GUID != nil {
			out.Dests[*d.App.GUID] = *d.GUID
			if d.Protocol != nil {
				out.Protocols[*d.App.GUID] = *d.Protocol
			}
		}
	}
	return out
}

// AppRoutes lists the routes mapped to an app.
func (c *Client) AppRoutes(ctx context.Context, appGUID string) ([]platform.Route, error) {
	routes, err := c.cf.Routes.ListForAppAll(ctx, appGUID, client.NewRouteListOptions())
	if err != nil {
		return nil, fmt.Errorf("list routes of app %s: %w", appGUID, err)
	}
	out := make([]platform.Route, 0, len(routes))
	for _, r := range routes {
		out = append(out, toRoute(r))
	}
	return out, nil
}

// Route re-reads one route.
func (c *Client) Route(ctx context.Context, guid string) (platform.Route, error) {
	r, err := c.cf.Routes.Get(ctx, guid)
	if err != nil {
		return platform.Route{}, fmt.Errorf("read route %s: %w", guid, err)
	}
	return toRoute(r), nil
}

// DefaultDomain is the org's default (shared) apps domain: guid and name.
func (c *Client) DefaultDomain(ctx context.Context, orgGUID string) (string, string, error) {
	d, err := c.cf.Organizations.GetDefaultDomain(ctx, orgGUID)
	if err != nil {
		return "", "", fmt.Errorf("read the default domain: %w", err)
	}
	return d.GUID, d.Name, nil
}

// Domains lists the visible domains by name.
func (c *Client) Domains(ctx context.Context) (map[string]platform.Domain, error) {
	ds, err := c.cf.Domains.ListAll(ctx, client.NewDomainListOptions())
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	out := map[string]platform.Domain{}
	for _, d := range ds {
		out[d.Name] = platform.Domain{GUID: d.GUID, Name: d.Name, Internal: d.Internal}
	}
	return out, nil
}

// EnsureRoute finds host/path on the domain, or creates it in the space. A create whose
// answer was lost, or that lost a race, is followed by another look-up, never a second route.
func (c *Client) EnsureRoute(ctx context.Context, spaceGUID, domainGUID, host, path string) (platform.Route, error) {
	find := func() (platform.Route, bool, error) {
		opts := client.NewRouteListOptions()
		opts.Hosts.EqualTo(host)
		opts.DomainGUIDs.EqualTo(domainGUID)
		routes, err := c.cf.Routes.ListAll(ctx, opts)
		if err != nil {
			return platform.Route{}, false, fmt.Errorf("look up route %s: %w", host, err)
		}
		for _, r := range routes {
			if r.Path == path {
				return toRoute(r), true, nil
			}
		}
		return platform.Route{}, false, nil
	}
	if r, ok, err := find(); err != nil || ok {
		return r, err
	}
	req := resource.NewRouteCreate(domainGUID, spaceGUID)
	req.Host = &host
	if path != "" {
		req.Path = &path
	}
	r, err := create(ctx, c.retry, "create route "+host, func() (platform.Route, error) {
		r, err := c.cf.Routes.Create(ctx, req)
		if err != nil {
			return platform.Route{}, err
		}
		return toRoute(r), nil
	}, find)
	if err != nil {
		// CC refuses a route that exists (its wording varies): made meanwhile, by a try whose
		// answer was lost or by another deploy, it is the route we want.
		if got, ok, ferr := find(); ferr == nil && ok {
			return got, nil
		}
	}
	return r, err
}

// Map maps the app's web process to the route (keeping other apps mapped), with the
// destination protocol given (http1 or http2; "" keeps CC's default).
func (c *Client) Map(ctx context.Context, routeGUID, appGUID, protocol string) error {
	dest := resource.NewRouteDestinationInsertOrReplace(appGUID)
	if protocol != "" {
		dest.WithProtocol(protocol)
	}
	if _, err := c.cf.Routes.InsertDestinations(ctx, routeGUID, []*resource.RouteDestinationInsertOrReplace{dest}); err != nil {
		return fmt.Errorf("map route %s: %w", routeGUID, err)
	}
	return nil
}

// Unmap removes the app from the route; an app that is not mapped is not an error. CC
// refuses to remove a destination twice, so a failure is followed by a look at the route.
func (c *Client) Unmap(ctx context.Context, routeGUID, appGUID string) error {
	r, err := c.Route(ctx, routeGUID)
	if err != nil {
		return err
	}
	dest, ok := r.Dests[appGUID]
	if !ok {
		return nil
	}
	return act(ctx, c.retry, fmt.Sprintf("unmap %s from route %s", appGUID, r.URL),
		func() error { return c.cf.Routes.RemoveDestination(ctx, routeGUID, dest) },
		func() (bool, error) {
			now, err := c.Route(ctx, routeGUID)
			if err != nil {
				return false, err
			}
			_, still := now.Dests[appGUID]
			return !still, nil
		})
}

// DeleteRoute deletes a route and waits for CC's job.
func (c *Client) DeleteRoute(ctx context.Context, guid string) error {
	job, err := c.cf.Routes.Delete(ctx, guid)
	if resource.IsResourceNotFoundError(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete route %s: %w", guid, err)
	}
	return c.waitJob(ctx, "delete route", job)
}
