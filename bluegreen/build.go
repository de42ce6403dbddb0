package bluegreen

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
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
	if d.live != nil && d.liveSize.Instances > 0 {
		instances, memory = d.liveSize.Instances, d.liveSize.MemoryMB
	}
	if d.plan.InstancesHint != nil {
		instances = *d.plan.InstancesHint
	}
	if d.plan.MemoryHint != nil {
		memory = *d.plan.MemoryHint
	}
	need := max(instances*memory, minStagingMB, memory)
	free, err := d.p.FreeMemory(ctx, d.space)
	if err != nil {
		return err
	}
	for _, q := range []struct {
		name string
		free *int
	}{{"organization " + d.space.OrgName, free.OrgFreeMB}, {"space " + d.space.Name, free.SpaceFreeMB}} {
		if q.free != nil && *q.free < need {
			return fmt.Errorf("quota: %s has %d MB of memory free; a second copy of %s needs %d MB (%d × %d MB, and at least %d MB to stage); "+
				"free memory, raise the quota, or use strategy: rolling, which needs only max_in_flight more instances",
				q.name, *q.free, d.plan.App, need, instances, memory, minStagingMB)
		}
	}
	return nil
}

// resolveRoutes decides the routes the new version must serve: the live app's, plus the
// manifest's; APP.DOMAIN on a first deploy without routes; none with no-route.
func (d *deployer) resolveRoutes(ctx context.Context) error {
	var err error
	d.tempRoute, err = d.p.EnsureRoute(ctx, d.space.GUID, d.domains[d.defDomain], d.plan.temporaryHost(), "")
	if err != nil {
		return err
	}
	if d.plan.NoRoute {
		return nil
	}
	seen := map[string]bool{}
	if d.live != nil {
		live, err := d.p.AppRoutes(ctx, d.live.GUID)
		if err != nil {
			return err
		}
		for _, r := range live {
			seen[r.GUID] = true
			d.liveRoutes = append(d.liveRoutes, r)
		}
	}
	urls := d.plan.ManifestRoutes
	if len(urls) == 0 && d.live == nil {
		urls = []string{hostSafe(d.plan.App) + "." + d.defDomain}
	}
	for _, u := range urls {
		r, err := d.ensureURL(ctx, u)
		if err != nil {
			return err
		}
		if !seen[r.GUID] {
			seen[r.GUID] = true
			d.liveRoutes = append(d.liveRoutes, r)
		}
	}
	for _, r := range d.liveRoutes {
		d.res.Routes = append(d.res.Routes, r.URL)
	}
	return nil
}

// ensureURL splits host.domain/path on the longest known domain and finds or creates it.
func (d *deployer) ensureURL(ctx context.Context, url string) (cf.Route, error) {
	hostPart, path, _ := strings.Cut(url, "/")
	if path != "" {
		path = "/" + path
	}
	names := make([]string, 0, len(d.domains))
	for n := range d.domains {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, n := range names {
		if host, ok := strings.CutSuffix(hostPart, "."+n); ok {
			return d.p.EnsureRoute(ctx, d.space.GUID, d.domains[n], host, path)
		}
	}
	return cf.Route{}, fmt.Errorf("route %q: no domain of this foundation matches it", url)
}

// applyManifest gives the candidate the manifest's configuration, the temporary route only,
// and its environment: the live app's (unless inherit_env is false), then the manifest's,
// then params.environment_variables.
func (d *deployer) applyManifest(ctx context.Context) error {
	env := map[string]string{}
	if d.plan.InheritEnv && d.live != nil {
		liveEnv, err := d.p.EnvVars(ctx, d.live.GUID)
		if err != nil {
			return err
		}
		for k, v := range liveEnv {
			env[k] = v
		}
	}
	for _, m := range []map[string]string{d.plan.ManifestEnv, d.plan.Env} {
		for k, v := range m {
			env[k] = v
		}
	}
	yaml, err := d.plan.Manifest.Render(d.candidate.Name, []string{d.tempRoute.URL}, env)
	if err != nil {
		return err
	}
	if err := d.p.ApplyManifest(ctx, d.space.GUID, yaml); err != nil {
		return err
	}
	size, err := d.p.WebProcess(ctx, d.candidate.GUID)
	if err != nil {
		return err
	}
	d.instances = max(size.Instances, 1)
	return nil
}

func (d *deployer) upload(ctx context.Context) error {
	return d.uploadApp(ctx, d.candidate.GUID)
}

// uploadBits uploads bits as a new package of the app; stageBits stages it.
func (d *deployer) uploadBits(ctx context.Context, appGUID string, bits func(io.Writer) error) error {
	pkg, err := d.p.Upload(ctx, appGUID, bits)
	d.pkg = pkg
	return err
}

// stageBits stages the uploaded package within params.staging_timeout; it returns the droplet.
func (d *deployer) stageBits(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, d.plan.Timeouts.Staging,
		fmt.Errorf("staging took longer than %s (params.staging_timeout)", d.plan.Timeouts.Staging))
	defer cancel()
	return d.p.Stage(ctx, d.pkg)
}

// uploadDroplet deploys given droplet bits without staging.
func (d *deployer) uploadDroplet(ctx context.Context) error {
	droplet, err := d.p.UploadDroplet(ctx, d.candidate.GUID, d.plan.Droplet.ProcessTypes, d.plan.Droplet.Write)
	if err != nil {
		return err
	}
	return d.useDroplet(ctx, droplet)
}

func (d *deployer) stage(ctx context.Context) error {
	droplet, err := d.stageBits(ctx)
	if err != nil {
		return err
	}
	return d.useDroplet(ctx, droplet)
}

// useDroplet makes the new droplet the candidate's and notes it in the journal.
func (d *deployer) useDroplet(ctx context.Context, droplet string) error {
	d.res.DropletGUID = droplet
	d.setStep(ctx, "staged")
	return d.p.SetDroplet(ctx, d.candidate.GUID, droplet)
}

// start starts the candidate and waits until every instance is RUNNING; a crash fails at
// once with the crash reasons.
func (d *deployer) start(ctx context.Context) error {
	if err := d.p.Start(ctx, d.candidate.GUID); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, d.plan.Timeouts.Startup,
		fmt.Errorf("instances were not all running after %s (params.startup_timeout)", d.plan.Timeouts.Startup))
	defer cancel()
	for {
		insts, err := d.p.Instances(ctx, d.candidate.GUID)
		if err != nil {
			return err
		}
		if crashed := d.crashed(ctx, insts); crashed != nil {
			return crashed
		}
		if allRunning(insts, d.instances) {
			d.setStep(ctx, "started")
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; instances: %s", context.Cause(ctx), describe(insts))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func allRunning(insts []cf.Instance, want int) bool {
	running := 0
	for _, in := range insts {
		if in.State == "RUNNING" {
			running++
		}
	}
	return running >= want
}

func (d *deployer) crashed(ctx context.Context, insts []cf.Instance) error {
	for _, in := range insts {
		if in.State != "CRASHED" {
			continue
		}
		reasons, _ := d.p.CrashReasons(ctx, d.candidate.GUID)
		d.printCrashes(reasons)
		last := "no reason reported"
		if len(reasons) > 0 {
			last = reasons[len(reasons)-1]
		}
		return fmt.Errorf("instance %d crashed (%s); instances: %s", in.Index, last, describe(insts))
	}
	return nil
}

func describe(insts []cf.Instance) string {
	var parts []string
	for _, in := range insts {
		s := fmt.Sprintf("#%d %s", in.Index, in.State)
		if in.Details != "" {
			s += " (" + in.Details + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "none reported"
	}
	return strings.Join(parts, ", ")
}

// printCrashes prints each distinct crash reason once, with how often it happened.
func (d *deployer) printCrashes(reasons []string) {
	count := map[string]int{}
	var order []string
	for _, r := range reasons {
		if count[r] == 0 {
			order = append(order, r)
		}
		count[r]++
	}
	for _, r := range order {
		d.log.Fail("crash: %s (%d times)", r, count[r])
	}
}
