package bluegreen

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// awaitNoActive refuses to supersede another deployment silently: it waits for it to end (up
// to the lease timeout) when the plan says so, else fails.
func (r *roller) awaitNoActive(ctx context.Context) error {
	deadline := time.Now().Add(r.plan.Timeouts.Lease)
	for {
		active, err := r.dp.ActiveDeployment(ctx, r.live.GUID)
		if err != nil || active == nil {
			return err
		}
		if !r.plan.WaitActive {
			return fmt.Errorf("deployment %s is %s/%s on %s; not superseding it (params.on_active_deployment: fail)",
				active.GUID, active.Value, active.Reason, r.plan.App)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deployment %s was still %s on %s after %s (params.lease_timeout)",
				active.GUID, active.Reason, r.plan.App, r.plan.Timeouts.Lease)
		}
		r.log.Note("deployment %s is %s; waiting for it to end", active.GUID, active.Reason)
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(d):
		return nil
	}
}

// snapshot records what to come back to: the deployed revision, the env vars, the web
// processes and the routes.
func (r *roller) snapshot(ctx context.Context) error {
	var err error
	if r.oldProcs, err = r.dp.WebProcesses(ctx, r.live.GUID); err != nil {
		return err
	}
	if r.prevEnv, err = r.p.EnvVars(ctx, r.live.GUID); err != nil {
		return err
	}
	if r.liveRoutes, err = r.p.AppRoutes(ctx, r.live.GUID); err != nil {
		return err
	}
	deployed, err := r.p.DeployedRevision(ctx, r.live.GUID)
	if err != nil {
		return err
	}
	revs, err := r.dp.Revisions(ctx, r.live.GUID)
	if err != nil {
		return err
	}
	for _, rev := range revs {
		if rev.GUID == deployed {
			r.prevRev = rev
		}
	}
	r.res.PreviousRevision = r.prevRev.Version
	return nil
}

// applyToLive applies the manifest to the live app itself, keeping its routes: apply_manifest
// is additive, and routes the manifest does not name stay mapped.
func (r *roller) applyToLive(ctx context.Context) error {
	routes := r.plan.ManifestRoutes
	if len(routes) == 0 {
		for _, rt := range r.liveRoutes {
			routes = append(routes, rt.URL)
		}
	}
	yaml, err := r.plan.Manifest.Render(r.plan.App, routes, mergeEnv(r.plan.ManifestEnv, r.plan.Env))
	if err != nil {
		return err
	}
	if err := r.p.ApplyManifest(ctx, r.space.GUID, yaml); err != nil {
		return err
	}
	r.liveRoutes, err = r.p.AppRoutes(ctx, r.live.GUID)
	return err
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

// bitsSteps put the new droplet on the live app: upload and stage, or upload a droplet.
func (r *roller) bitsSteps() []step {
	if r.plan.Droplet != nil {
		return []step{{"upload droplet " + short(r.plan.Droplet.SHA256), r.uploadDropletLive}}
	}
	return []step{{"upload bits", r.uploadLive}, {"stage", r.stageOnly}}
}

func (r *roller) uploadDropletLive(ctx context.Context) error {
	droplet, err := r.p.UploadDroplet(ctx, r.live.GUID, r.plan.Droplet.ProcessTypes, r.plan.Droplet.Write)
	r.res.DropletGUID = droplet
	return err
}

func (r *roller) uploadLive(ctx context.Context) error {
	return r.uploadApp(ctx, r.live.GUID)
}

// stageOnly stages without setting the droplet: the deployment does that.
func (r *roller) stageOnly(ctx context.Context) error {
	droplet, err := r.stageBits(ctx)
	r.res.DropletGUID = droplet
	return err
}

// rollbackTarget is the revision of params.revision, or the newest deployable one older than
// the deployed revision.
func (r *roller) rollbackTarget(ctx context.Context) (cf.Revision, error) {
	revs, err := r.dp.Revisions(ctx, r.live.GUID)
	if err != nil {
		return cf.Revision{}, err
	}
	var target cf.Revision
	for _, rev := range revs {
		wanted := rev.Version == r.plan.RollbackTo
		if r.plan.RollbackTo == 0 {
			wanted = rev.Version < r.prevRev.Version && rev.Deployable && rev.DropletGUID != r.prevRev.DropletGUID
		}
		if wanted {
			target = rev
		}
	}
	switch {
	case target.GUID == "" && r.plan.RollbackTo != 0:
		return target, fmt.Errorf("params.revision: app %s has no revision %d", r.plan.App, r.plan.RollbackTo)
	case target.GUID == "":
		return target, fmt.Errorf("app %s has no earlier deployable revision to roll back to", r.plan.App)
	case !target.Deployable:
		return target, fmt.Errorf("params.revision: revision %d of %s is not deployable (its droplet is gone)", target.Version, r.plan.App)
	}
	r.log.Note("rolling back to revision %d (%s)", target.Version, target.Description)
	return target, nil
}

func (r *roller) create(ctx context.Context, req cf.DeploymentRequest) error {
	dep, err := r.dp.CreateDeployment(ctx, req)
	if err != nil {
		return err
	}
	r.dep = dep
	r.log.Note("deployment %s (revision %d), new process %v", dep.GUID, dep.RevisionVersion, dep.NewProcesses)
	return nil
}

// finish fills in the result from the finished deployment.
func (r *roller) finish(ctx context.Context) error {
	r.res.AppName, r.res.AppGUID = r.plan.App, r.live.GUID
	r.res.DeploymentGUID, r.res.Status = r.dep.GUID, r.dep.Reason
	r.res.RevisionVersion, r.res.DropletGUID = r.dep.RevisionVersion, r.dep.DropletGUID
	for _, p := range r.oldProcs {
		r.res.InstancesReplaced += p.Instances
	}
	for _, rt := range r.liveRoutes {
		r.res.Routes = append(r.res.Routes, rt.URL)
	}
	rev, err := r.p.DeployedRevision(ctx, r.live.GUID)
	r.res.RevisionGUID = rev
	if err != nil {
		return err
	}
	return r.annotateBuild(ctx)
}

// annotateBuild records on the app when and by which build it was last deployed.
func (r *roller) annotateBuild(ctx context.Context) error {
	if r.plan.Action == "cancel" {
		return nil
	}
	at := time.Now().UTC().Format(time.RFC3339Nano)
	ann := map[string]*string{annDeployedAt: &at}
	for k, v := range r.plan.Build {
		ann[keyPrefix+k] = &v
	}
	return r.p.Update(ctx, r.live.GUID, r.live.Name, nil, ann)
}
