package candidate

import (
	"context"
	"fmt"
	"slices"
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
// manifest's; APP.DOMAIN on a first deploy without routes; none with no-route. With exact_routes
// the manifest's routes are the whole set, and the live app's others are dropped (unmapped after
// cutover, proven gone). The routes the live app's maintenance switch holds on the responder stay
// there: maintenance off moves them to the new version, which inherits the switch's journal.
func (d *deployer) resolveRoutes(ctx context.Context) error {
	live, err := d.liveAppRoutes(ctx)
	if err != nil {
		return err
	}
	if d.o.NoRoute {
		d.dropRoutes = live
		return nil
	}
	if d.tempRoute, err = d.p.EnsureRoute(ctx, d.Space.GUID, d.Domains[d.DefaultDomain].GUID, d.o.temporaryHost(), ""); err != nil {
		return err
	}
	wanted, err := d.manifestRoutes(ctx)
	if err != nil {
		return err
	}
	exact := d.o.ExactRoutes && len(d.o.Routes) > 0
	for _, r := range live {
		if exact && !hasRoute(wanted, r) {
			d.dropRoutes = append(d.dropRoutes, r)
		} else {
			d.liveRoutes = append(d.liveRoutes, r)
		}
	}
	for _, w := range wanted {
		if !hasRoute(d.liveRoutes, w) {
			d.liveRoutes = append(d.liveRoutes, w)
		}
	}
	for _, r := range d.liveRoutes {
		d.Res.Routes = append(d.Res.Routes, r.URL)
	}
	return nil
}

// liveAppRoutes are the live app's routes but those its maintenance switch holds.
func (d *deployer) liveAppRoutes(ctx context.Context) ([]platform.Route, error) {
	if d.Live == nil {
		return nil, nil
	}
	routes, err := d.p.AppRoutes(ctx, d.Live.GUID)
	if err != nil {
		return nil, err
	}
	held := bluegreen.MaintenanceRoutes(d.Live)
	if len(held) > 0 {
		d.Log.Note("%s is in maintenance: %d routes stay on the responder until maintenance off, which gives them to the new version", d.o.App, len(held))
	}
	return slices.DeleteFunc(routes, func(r platform.Route) bool { return held[r.GUID] }), nil
}

// manifestRoutes finds or creates the manifest's routes (APP.DOMAIN on a first deploy without
// any), but those a maintenance switch holds.
func (d *deployer) manifestRoutes(ctx context.Context) ([]platform.Route, error) {
	urls := d.o.Routes
	if len(urls) == 0 && d.Live == nil {
		urls = []string{bluegreen.HostSafe(d.o.App) + "." + d.DefaultDomain}
	}
	held := bluegreen.MaintenanceRoutes(d.Live)
	var out []platform.Route
	for _, u := range urls {
		r, err := d.ensureURL(ctx, u)
		if err != nil {
			return nil, err
		}
		if !held[r.GUID] && !hasRoute(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func hasRoute(routes []platform.Route, r platform.Route) bool {
	return slices.ContainsFunc(routes, func(o platform.Route) bool { return o.GUID == r.GUID })
}

// ensureURL finds or creates a route from its URL (host.domain/path, or domain/path for a route
// without a host, as CC allows), split on the longest of the foundation's domains.
func (d *deployer) ensureURL(ctx context.Context, url string) (platform.Route, error) {
	domain, ok := d.DomainOf(url)
	if !ok {
		return platform.Route{}, fmt.Errorf("route %q: no domain of this foundation matches it", url)
	}
	hostPart, path, _ := strings.Cut(url, "/")
	if path != "" {
		path = "/" + path
	}
	host := strings.TrimSuffix(strings.TrimSuffix(hostPart, domain), ".")
	return d.p.EnsureRoute(ctx, d.Space.GUID, d.Domains[domain].GUID, host, path)
}

// applyManifest gives the candidate the manifest's configuration, the temporary route only,
// and its environment: the live app's (unless inherit_env is false), then the manifest's,
// then params.environment_variables. The bits need only the candidate to exist, so their upload
// (or a docker image's package) starts first and overlaps CC's manifest job; staging, which needs
// both, waits for both.
func (d *deployer) applyManifest(ctx context.Context) error {
	if d.o.Bits.Droplet == nil {
		d.uploading = bluegreen.Start(ctx, func(ctx context.Context) (bluegreen.Uploaded, error) {
			return d.UploadBits(ctx, d.candidate.GUID, d.o.Bits)
		})
	}
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
	var routes []string // the temporary route only; none for an app without routes
	if d.tempRoute.GUID != "" {
		routes = []string{d.tempRoute.URL}
	}
	yaml, err := d.o.Manifest.Render(d.candidate.Name, routes, env)
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

// upload waits for the upload (or the docker package) applyManifest started.
func (d *deployer) upload(ctx context.Context) error {
	up, err := d.uploading.Result(ctx)
	if err != nil {
		return err
	}
	d.NoteUpload(up)
	d.pkg = up.Package
	return nil
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

// start starts the candidate and waits until every instance of every process type is RUNNING;
// a crash of any fails at once with the crash reasons.
func (d *deployer) start(ctx context.Context) error {
	if err := d.StartAll(ctx, d.candidate); err != nil {
		return err
	}
	d.record(ctx, stepStarted)
	return nil
}
