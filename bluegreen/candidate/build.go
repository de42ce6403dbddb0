package candidate

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// CC's defaults when neither the manifest nor the live app says (cf-deployment).
const (
	defaultInstances = 1
	defaultMemoryMB  = 1024
	minStagingMB     = 1024 // staging takes at least this much from the quota
)

// checkQuota fails before anything is created when the org or space cannot hold a second
// copy of the app (and its staging), naming the shortfall.
func (d *deployer) checkQuota(ctx context.Context) error {
	instances, memory := defaultInstances, defaultMemoryMB
	if d.Live != nil && d.LiveSize.Instances > 0 {
		instances, memory = d.LiveSize.Instances, d.LiveSize.MemoryMB
	}
	if d.o.InstancesHint != nil {
		instances = *d.o.InstancesHint
	}
	if d.o.MemoryHint != nil {
		memory = *d.o.MemoryHint
	}
	need := max(instances*memory, minStagingMB, memory)
	free, err := d.p.FreeMemory(ctx, d.Space)
	if err != nil {
		return err
	}
	for _, q := range []struct {
		name string
		free *int
	}{{"organization " + d.Space.OrgName, free.OrgFreeMB}, {"space " + d.Space.Name, free.SpaceFreeMB}} {
		if q.free != nil && *q.free < need {
			return fmt.Errorf("quota: %s has %d MB of memory free; a second copy of %s needs %d MB (%d × %d MB, and at least %d MB to stage); "+
				"free memory, raise the quota, or use strategy: rolling, which needs only max_in_flight more instances",
				q.name, *q.free, d.o.App, need, instances, memory, minStagingMB)
		}
	}
	return nil
}

// resolveRoutes decides the routes the new version must serve: the live app's, plus the
// manifest's; APP.DOMAIN on a first deploy without routes; none with no-route. The routes the
// live app's maintenance switch holds on the responder stay there: maintenance off moves them to
// the new version, which inherits the switch's journal (promote).
func (d *deployer) resolveRoutes(ctx context.Context) error {
	var err error
	d.tempRoute, err = d.p.EnsureRoute(ctx, d.Space.GUID, d.Domains[d.DefaultDomain].GUID, d.o.temporaryHost(), "")
	if err != nil {
		return err
	}
	if d.o.NoRoute {
		return nil
	}
	held := bluegreen.MaintenanceRoutes(d.Live)
	seen := map[string]bool{}
	add := func(r platform.Route) {
		if !seen[r.GUID] && !held[r.GUID] {
			d.liveRoutes = append(d.liveRoutes, r)
		}
		seen[r.GUID] = true
	}
	if d.Live != nil {
		live, err := d.p.AppRoutes(ctx, d.Live.GUID)
		if err != nil {
			return err
		}
		for _, r := range live {
			add(r)
		}
	}
	urls := d.o.Routes
	if len(urls) == 0 && d.Live == nil {
		urls = []string{bluegreen.HostSafe(d.o.App) + "." + d.DefaultDomain}
	}
	for _, u := range urls {
		r, err := d.ensureURL(ctx, u)
		if err != nil {
			return err
		}
		add(r)
	}
	for _, r := range d.liveRoutes {
		d.Res.Routes = append(d.Res.Routes, r.URL)
	}
	if len(held) > 0 {
		d.Log.Note("%s is in maintenance: %d routes stay on the responder until maintenance off, which gives them to the new version", d.o.App, len(held))
	}
	return nil
}

// ensureURL splits host.domain/path on the longest known domain and finds or creates it. A
// route may be the domain alone (no host), as CC allows on a domain no other space uses.
func (d *deployer) ensureURL(ctx context.Context, url string) (platform.Route, error) {
	hostPart, path, _ := strings.Cut(url, "/")
	if path != "" {
		path = "/" + path
	}
	names := make([]string, 0, len(d.Domains))
	for n := range d.Domains {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, n := range names {
		if hostPart == n {
			return d.p.EnsureRoute(ctx, d.Space.GUID, d.Domains[n].GUID, "", path)
		}
		if host, ok := strings.CutSuffix(hostPart, "."+n); ok {
			return d.p.EnsureRoute(ctx, d.Space.GUID, d.Domains[n].GUID, host, path)
		}
	}
	return platform.Route{}, fmt.Errorf("route %q: no domain of this foundation matches it", url)
}

// applyManifest gives the candidate the manifest's configuration, the temporary route only,
// and its environment: the live app's (unless inherit_env is false), then the manifest's,
// then params.environment_variables.
func (d *deployer) applyManifest(ctx context.Context) error {
	env := map[string]string{}
	if d.o.InheritEnv && d.Live != nil {
		liveEnv, err := d.p.EnvVars(ctx, d.Live.GUID)
		if err != nil {
			return err
		}
		for k, v := range liveEnv {
			env[k] = v
		}
	}
	for _, m := range []map[string]string{d.o.ManifestEnv, d.o.Env} {
		for k, v := range m {
			env[k] = v
		}
	}
	yaml, err := d.o.Manifest.Render(d.candidate.Name, []string{d.tempRoute.URL}, env)
	if err != nil {
		return err
	}
	if err := d.p.ApplyManifest(ctx, d.Space.GUID, yaml); err != nil {
		return err
	}
	size, err := d.p.WebProcess(ctx, d.candidate.GUID)
	if err != nil {
		return err
	}
	d.instances = max(size.Instances, 1)
	return nil
}

func (d *deployer) upload(ctx context.Context) (err error) {
	d.pkg, err = d.Upload(ctx, d.candidate.GUID, d.o.Bits)
	return err
}

func (d *deployer) stage(ctx context.Context) error {
	droplet, err := d.Stage(ctx, d.pkg)
	if err != nil {
		return err
	}
	return d.useDroplet(ctx, droplet)
}

// uploadDroplet deploys given droplet bits without staging.
func (d *deployer) uploadDroplet(ctx context.Context) error {
	droplet, err := d.UploadDroplet(ctx, d.candidate.GUID, d.o.Bits.Droplet)
	if err != nil {
		return err
	}
	return d.useDroplet(ctx, droplet)
}

// useDroplet makes the new droplet the candidate's and notes it in the journal.
func (d *deployer) useDroplet(ctx context.Context, droplet string) error {
	d.Res.DropletGUID = droplet
	d.record(ctx, stepStaged)
	return d.p.SetDroplet(ctx, d.candidate.GUID, droplet)
}

// start starts the candidate and waits until every instance is RUNNING; a crash fails at
// once with the crash reasons.
func (d *deployer) start(ctx context.Context) error {
	if err := d.StartAndWait(ctx, d.candidate, d.instances); err != nil {
		return err
	}
	d.record(ctx, stepStarted)
	return nil
}
