package bluegreen

import (
	"context"
	"fmt"
	"strings"
)

// CheckPush refuses, before anything changes, what the foundation cannot take from the new
// version's manifest: a route on a domain it does not have, a TCP route (host:port), a service
// instance that is not in the space. Each error names the manifest field.
func (r *Run) CheckPush(ctx context.Context, p Push, services Services) error {
	for _, u := range p.Routes {
		if err := r.checkRoute(u); err != nil {
			return err
		}
	}
	for _, name := range p.Services {
		si, err := services.ServiceInstance(ctx, r.Space.GUID, name)
		if err != nil {
			return err
		}
		if si == nil {
			return fmt.Errorf("params.manifest: services: service instance %q does not exist in space %s (cf create-service or cf create-user-provided-service first)", name, r.Space.Name)
		}
	}
	return nil
}

func (r *Run) checkRoute(url string) error {
	hostPart, _, _ := strings.Cut(url, "/")
	if strings.Contains(hostPart, ":") {
		return fmt.Errorf("params.manifest: route %q: TCP routes (host:port) are not supported: the resource proves routes through the HTTP routers, which never see them", url)
	}
	if _, ok := r.DomainOf(url); !ok {
		return fmt.Errorf("params.manifest: route %q: no domain of this foundation matches it", url)
	}
	return nil
}

// DomainOf finds the longest of the foundation's domains a route URL (host.domain/path, or
// domain/path) is on.
func (r *Run) DomainOf(url string) (domain string, ok bool) {
	hostPart, _, _ := strings.Cut(url, "/")
	best := ""
	for name := range r.Domains {
		if (hostPart == name || strings.HasSuffix(hostPart, "."+name)) && len(name) > len(best) {
			best = name
		}
	}
	return best, best != ""
}
