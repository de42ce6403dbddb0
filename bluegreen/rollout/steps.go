package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// awaitNoActive refuses to supersede another deployment silently: it waits for it to end (up
// to the lease timeout) when the options say so, else fails.
func (r *roller) awaitNoActive(ctx context.Context) error {
	deadline := time.Now().Add(r.o.Timeouts.Lease)
	for {
		active, err := r.p.ActiveDeployment(ctx, r.Live.GUID)
		if err != nil || active == nil {
			return err
		}
		if abandoned(*active) {
			if err := r.healAbandoned(ctx, *active); err != nil {
				return err
			}
			continue
		}
		if !r.o.WaitActive {
			return fmt.Errorf("deployment %s is %s/%s on %s; not superseding it (params.on_active_deployment: fail)",
				active.GUID, active.Value, active.Reason, r.o.App)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deployment %s was still %s on %s after %s (params.lease_timeout)",
				active.GUID, active.Reason, r.o.App, r.o.Timeouts.Lease)
		}
		r.Log.Note("deployment %s is %s; waiting for it to end", active.GUID, active.Reason)
		if err := poll.Sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

// snapshot records what to come back to: the deployed revision, the env vars, the web
// processes and the routes.
func (r *roller) snapshot(ctx context.Context) error {
	var err error
	if r.oldProcs, err = r.p.WebProcesses(ctx, r.Live.GUID); err != nil {
		return err
	}
	if r.prevEnv, err = r.p.EnvVars(ctx, r.Live.GUID); err != nil {
		return err
	}
	if r.liveRoutes, err = r.p.AppRoutes(ctx, r.Live.GUID); err != nil {
		return err
	}
	deployed, err := r.p.DeployedRevision(ctx, r.Live.GUID)
	if err != nil {
		return err
	}
	revs, err := r.p.Revisions(ctx, r.Live.GUID)
	if err != nil {
		return err
	}
	for _, rev := range revs {
		if rev.GUID == deployed {
			r.prevRev = rev
		}
	}
	r.Res.PreviousRevision = r.prevRev.Version
	return nil
}

// applyToLive applies the manifest to the live app itself, keeping its routes: apply_manifest
// is additive, and routes the manifest does not name stay mapped.
func (r *roller) applyToLive(ctx context.Context) error {
	routes := r.o.Routes
	if len(routes) == 0 {
		for _, rt := range r.liveRoutes {
			routes = append(routes, rt.URL)
		}
	}
	if err := r.applyWith(ctx, routes); err != nil {
		return err
	}
	var err error
	r.liveRoutes, err = r.p.AppRoutes(ctx, r.Live.GUID)
	return err
}

// applyWith applies the manifest to the app with routes, less those a maintenance switch holds.
func (r *roller) applyWith(ctx context.Context, routes []string) error {
	routes, err := r.withoutHeld(ctx, routes)
	if err != nil {
		return err
	}
	yaml, err := r.o.Manifest.Render(r.o.App, routes, mergeEnv(r.o.ManifestEnv, r.o.Env))
	if err != nil {
		return err
	}
	return r.p.ApplyManifest(ctx, r.Space.GUID, yaml)
}

// newVersionSteps put the new version on the app: its manifest (applied by apply), its droplet,
// then the migration, if any, on that droplet.
func (r *roller) newVersionSteps(apply func(context.Context) error) []bluegreen.Step {
	steps := append([]bluegreen.Step{{Name: "apply manifest", Do: apply}}, r.bitsSteps()...)
	if r.o.Migration != nil {
		steps = append(steps, bluegreen.Step{Name: "migrate", Do: func(ctx context.Context) error {
			return r.Migrate(ctx, r.p, r.Live, r.Res.DropletGUID, r.o.Migration)
		}})
	}
	return steps
}

// withoutHeld drops the routes the app's maintenance switch holds on the responder: they stay
// there until maintenance off, which gives them back to the app.
func (r *roller) withoutHeld(ctx context.Context, urls []string) ([]string, error) {
	held := map[string]bool{}
	for guid := range bluegreen.MaintenanceRoutes(r.Live) {
		rt, err := r.p.Route(ctx, guid)
		if err != nil {
			return nil, err
		}
		held[rt.URL] = true
	}
	var out []string
	for _, u := range urls {
		if !held[u] {
			out = append(out, u)
		}
	}
	if len(held) > 0 {
		r.Log.Note("%s is in maintenance: its routes stay on the responder until maintenance off", r.o.App)
	}
	return out, nil
}

// mergeEnv layers env maps, later ones winning; nil when all are empty (keep the manifest's).
func mergeEnv(layers ...map[string]string) map[string]string {
	var out map[string]string
	for _, m := range layers {
		for k, v := range m {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

// bitsSteps put the new droplet on the live app: upload (or make a docker image's package) and
// stage, or upload a droplet. The droplet is not set: the deployment does that.
func (r *roller) bitsSteps() []bluegreen.Step {
	if drop := r.o.Bits.Droplet; drop != nil {
		return []bluegreen.Step{{Name: "upload droplet " + bluegreen.Short(drop.SHA256), Do: r.uploadDroplet}}
	}
	var pkg string
	return []bluegreen.Step{
		{Name: r.o.Bits.PackageStep(), Do: func(ctx context.Context) (err error) {
			pkg, err = r.Upload(ctx, r.Live.GUID, r.o.Bits)
			return err
		}},
		{Name: "stage", Do: func(ctx context.Context) (err error) {
			r.Res.DropletGUID, err = r.Stage(ctx, pkg)
			return err
		}},
	}
}

func (r *roller) uploadDroplet(ctx context.Context) (err error) {
	r.Res.DropletGUID, err = r.UploadDroplet(ctx, r.Live.GUID, r.o.Bits.Droplet)
	return err
}

// rollbackTarget is the revision of params.revision, or the newest deployable one older than
// the deployed revision.
func (r *roller) rollbackTarget(ctx context.Context) (platform.Revision, error) {
	revs, err := r.p.Revisions(ctx, r.Live.GUID)
	if err != nil {
		return platform.Revision{}, err
	}
	var target platform.Revision
	for _, rev := range revs {
		wanted := rev.Version == r.o.RollbackTo
		if r.o.RollbackTo == 0 {
			wanted = rev.Version < r.prevRev.Version && rev.Deployable && rev.DropletGUID != r.prevRev.DropletGUID
		}
		if wanted {
			target = rev
		}
	}
	switch {
	case target.GUID == "" && r.o.RollbackTo != 0:
		return target, fmt.Errorf("params.revision: app %s has no revision %d", r.o.App, r.o.RollbackTo)
	case target.GUID == "":
		return target, fmt.Errorf("app %s has no earlier deployable revision to roll back to", r.o.App)
	case !target.Deployable:
		return target, fmt.Errorf("params.revision: revision %d of %s is not deployable (its droplet is gone)", target.Version, r.o.App)
	}
	r.Log.Note("rolling back to revision %d (%s)", target.Version, target.Description)
	return target, nil
}

// create creates the deployment, as CC runs it for the pace (paced), after reading the web
// instances it ends with, for the proofs made before it gets there.
func (r *roller) create(ctx context.Context, req platform.DeploymentRequest) error {
	procs, err := r.p.WebProcesses(ctx, r.Live.GUID)
	if err != nil {
		return err
	}
	if len(procs) > 0 { // CAPI replaces the newest web process's instances
		r.target = procs[len(procs)-1].Instances
	}
	req, r.paced = paced(req, r.o.Pace)
	req.Annotations = r.leaseAnnotations()
	r.createdAt = time.Now()
	dep, err := r.p.CreateDeployment(ctx, req)
	if err != nil && r.paced {
		return fmt.Errorf("%w (a paced rolling deployment is CC's canary strategy, from CC API 3.173.0 on; params.pace: capi does without)", err)
	}
	if err != nil {
		return err
	}
	r.dep = dep
	r.releaseLease = r.holdLease(ctx, dep.GUID)
	r.Log.Note("deployment %s (revision %d), new process %v", dep.GUID, dep.RevisionVersion, dep.NewProcesses)
	if r.paced {
		r.Log.Note("paced: CC starts one new instance next to the old ones and pauses; it goes on once every router serves it")
	}
	return nil
}

// finish fills in the result from the finished deployment.
func (r *roller) finish(ctx context.Context) error {
	r.Res.AppName, r.Res.AppGUID = r.o.App, r.Live.GUID
	r.Res.DeploymentGUID, r.Res.Status = r.dep.GUID, string(r.dep.Reason)
	r.Res.RevisionVersion, r.Res.DropletGUID = r.dep.RevisionVersion, r.dep.DropletGUID
	for _, p := range r.oldProcs {
		r.Res.InstancesReplaced += p.Instances
	}
	for _, rt := range r.liveRoutes {
		r.Res.Routes = append(r.Res.Routes, rt.URL)
	}
	rev, err := r.p.DeployedRevision(ctx, r.Live.GUID)
	r.Res.RevisionGUID = rev
	if err != nil {
		return err
	}
	return r.annotateBuild(ctx)
}

// annotateBuild records on the app when and by which build it was last deployed.
func (r *roller) annotateBuild(ctx context.Context) error {
	if r.o.Action == bluegreen.ActionCancel {
		return nil
	}
	ann := r.o.Build.Annotations()
	at := bluegreen.Timestamp(time.Now())
	ann[bluegreen.AnnDeployedAt] = &at
	return r.p.Update(ctx, r.Live.GUID, r.Live.Name, nil, ann)
}
