package fakecf

import (
	"cmp"
	"fmt"
	"maps"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Internals, called with mu held.

func (a *App) copy() *App {
	c := *a
	c.Labels, c.Annotations, c.Env = maps.Clone(a.Labels), maps.Clone(a.Annotations), maps.Clone(a.Env)
	return &c
}

func (a *App) toCF() *platform.App {
	return &platform.App{GUID: a.GUID, Name: a.Name, State: platform.AppState(a.State), DropletGUID: a.Droplet,
		Lifecycle: cmp.Or(a.Lifecycle, platform.LifecycleBuildpack), Labels: maps.Clone(a.Labels),
		Annotations: maps.Clone(a.Annotations), Created: a.Created}
}

func (f *Foundation) byName(name string) *App {
	for _, a := range f.apps {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func (f *Foundation) domainName(guid string) string {
	for n, g := range f.domains {
		if g == guid {
			return n
		}
	}
	return ""
}

// url is host.domain/path, or domain/path for a route without a host, as CC writes it.
func (f *Foundation) url(r *route) string {
	if r.Host == "" {
		return f.domainName(r.DomainGUID) + r.Path
	}
	return r.Host + "." + f.domainName(r.DomainGUID) + r.Path
}

func (f *Foundation) toCF(r *route) platform.Route {
	return platform.Route{GUID: r.GUID, Host: r.Host, Path: r.Path, URL: f.url(r), DomainGUID: r.DomainGUID,
		Dests: maps.Clone(r.Dests), Protocols: maps.Clone(r.Protocols)}
}

func (f *Foundation) routeByURL(url string) *route {
	for _, r := range f.routes {
		if f.url(r) == url {
			return r
		}
	}
	return nil
}

// splitURL splits host.domain/path on the longest known domain.
func (f *Foundation) splitURL(url string) (host, domain, path string, err error) {
	hostPart, p, _ := strings.Cut(url, "/")
	if p != "" {
		path = "/" + p
	}
	for n := range f.domains {
		if hostPart == n && len(n) > len(domain) {
			host, domain = "", n
		}
		if h, ok := strings.CutSuffix(hostPart, "."+n); ok && len(n) > len(domain) {
			host, domain = h, n
		}
	}
	if domain == "" {
		return "", "", "", fmt.Errorf("CF-UnprocessableEntity: no domain for route %q", url)
	}
	return host, domain, path, nil
}

func (f *Foundation) ensureRoute(domainGUID, host, path string) (*route, error) {
	if f.domainName(domainGUID) == "" {
		return nil, fmt.Errorf("CF-UnprocessableEntity: domain %q does not exist", domainGUID)
	}
	for _, r := range f.routes {
		if r.DomainGUID == domainGUID && r.Host == host && r.Path == path {
			return r, nil
		}
	}
	r := &route{GUID: f.newGUID("route"), Host: host, Path: path, DomainGUID: domainGUID, Dests: map[string]string{},
		Protocols: map[string]string{}}
	f.routes[r.GUID] = r
	f.routeHistory[f.url(r)] = r.GUID
	return r, nil
}

func (f *Foundation) app(guid string) (*App, error) {
	a := f.apps[guid]
	if a == nil {
		return nil, fmt.Errorf("CF-ResourceNotFound: app %s not found", guid)
	}
	return a, nil
}

func errUniqueness(name string) error {
	return fmt.Errorf("CF-UniquenessError: name %q must be unique in space", name)
}
