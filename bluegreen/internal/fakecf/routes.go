package fakecf

import (
	"cmp"
	"context"
	"fmt"
	"sort"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func (f *Foundation) AppRoutes(_ context.Context, appGUID string) ([]platform.Route, error) {
	return read(f, &f.mu, Call{Method: "AppRoutes", Args: []string{appGUID}}, func() ([]platform.Route, error) {
		out := []platform.Route{}
		for _, r := range f.routes {
			if _, ok := r.Dests[appGUID]; ok {
				out = append(out, f.toCF(r))
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
		return out, nil
	})
}

func (f *Foundation) Route(_ context.Context, guid string) (platform.Route, error) {
	return read(f, &f.mu, Call{Method: "Route", Args: []string{guid}}, func() (platform.Route, error) {
		r := f.routes[guid]
		if r == nil {
			return platform.Route{}, fmt.Errorf("CF-ResourceNotFound: route %s", guid)
		}
		return f.toCF(r), nil
	})
}

func (f *Foundation) Domains(context.Context) (map[string]platform.Domain, error) {
	return read(f, &f.mu, Call{Method: "Domains"}, func() (map[string]platform.Domain, error) {
		out := map[string]platform.Domain{}
		for name, guid := range f.domains {
			out[name] = platform.Domain{GUID: guid, Name: name, Internal: name == InternalDomain}
		}
		return out, nil
	})
}

func (f *Foundation) DefaultDomain(_ context.Context, org string) (string, string, error) {
	c, err := f.record(Call{Method: "DefaultDomain", Args: []string{org}})
	if err != nil {
		return "", "", err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.domains[f.defaultDomain], f.defaultDomain, nil
}

func (f *Foundation) EnsureRoute(_ context.Context, space, domainGUID, host, path string) (platform.Route, error) {
	return read(f, &f.mu, Call{Method: "EnsureRoute", Args: []string{space, domainGUID, host, path}}, func() (platform.Route, error) {
		r, err := f.ensureRoute(domainGUID, host, path)
		if err != nil {
			return platform.Route{}, err
		}
		return f.toCF(r), nil
	})
}

// Map maps the app to the route with the protocol given ("" = http1, CC's default).
func (f *Foundation) Map(_ context.Context, routeGUID, appGUID, protocol string) error {
	return f.locked(Call{Method: "Map", Args: []string{routeGUID, appGUID}}, func() error {
		r := f.routes[routeGUID]
		if r == nil {
			return fmt.Errorf("CF-ResourceNotFound: route %s", routeGUID)
		}
		if _, err := f.app(appGUID); err != nil {
			return err
		}
		if _, ok := r.Dests[appGUID]; !ok {
			r.Dests[appGUID] = f.newGUID("dest")
			r.Protocols[appGUID] = cmp.Or(protocol, "http1")
		}
		return nil
	})
}

func (f *Foundation) Unmap(_ context.Context, routeGUID, appGUID string) error {
	return f.locked(Call{Method: "Unmap", Args: []string{routeGUID, appGUID}}, func() error {
		r := f.routes[routeGUID]
		if r == nil {
			return fmt.Errorf("CF-ResourceNotFound: route %s", routeGUID)
		}
		delete(r.Dests, appGUID)
		return nil
	})
}

func (f *Foundation) DeleteRoute(_ context.Context, guid string) error {
	return f.locked(Call{Method: "DeleteRoute", Args: []string{guid}}, func() error {
		delete(f.routes, guid)
		return nil
	})
}

func (f *Foundation) FreeMemory(_ context.Context, s platform.Space) (platform.Headroom, error) {
	return read(f, &f.mu, Call{Method: "FreeMemory", Args: []string{s.GUID}}, func() (platform.Headroom, error) {
		return f.Free, nil
	})
}

// ProtocolOf is the protocol of the app's destination on the route (by URL), "" when unmapped.
func (f *Foundation) ProtocolOf(url, appGUID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.routeByURL(url); r != nil {
		return r.Protocols[appGUID]
	}
	return ""
}

// SetProtocol sets the app's destination protocol on the route (by URL), as cf map-route
// --app-protocol does.
func (f *Foundation) SetProtocol(url, appGUID, protocol string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routeByURL(url).Protocols[appGUID] = protocol
}
