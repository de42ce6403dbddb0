package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// cfOps are the cf CLI (v8) commands the baselines are made of, as the Cloud Controller
// calls the CLI makes for them, through go-cfclient. Waits poll every 50 ms, faster than the
// CLI, so the baselines' deploy times are if anything flattering.
type cfOps struct {
	p   *cfpush.Pusher
	zip string // the app's bits: test/apps/versioned and a Procfile
}

// pushNew is `cf push` of an app that does not exist yet: apply the manifest (which creates
// the app and maps its routes), upload, stage, set the droplet, start, and wait for an
// instance to run (what the CLI waits for).
func (o cfOps) pushNew(ctx context.Context, a cfpush.App) (*resource.App, error) {
	app, _, err := o.p.Push(ctx, a, o.zip, true)
	if err != nil {
		return nil, fmt.Errorf("cf push %s: %w", a.Name, err)
	}
	return app, o.waitStarted(ctx, app.GUID)
}

// pushOver is `cf push` of an existing app without a strategy: apply the manifest, upload
// and stage, then stop the app, set the droplet and start it (downtime by design).
func (o cfOps) pushOver(ctx context.Context, a cfpush.App) (*resource.App, error) {
	if err := o.applyManifest(ctx, a); err != nil {
		return nil, err
	}
	app, err := o.p.AppNamed(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	droplet, err := o.p.Stage(ctx, app.GUID, o.zip)
	if err != nil {
		return nil, err
	}
	if _, err := o.p.CF.Applications.Stop(ctx, app.GUID); err != nil {
		return nil, fmt.Errorf("stop %s: %w", a.Name, err)
	}
	if _, err := o.p.CF.Droplets.SetCurrentAssociationForApp(ctx, app.GUID, droplet); err != nil {
		return nil, fmt.Errorf("set droplet: %w", err)
	}
	if _, err := o.p.CF.Applications.Start(ctx, app.GUID); err != nil {
		return nil, fmt.Errorf("start %s: %w", a.Name, err)
	}
	return app, o.waitStarted(ctx, app.GUID)
}

// pushRolling is `cf push --strategy rolling`: apply the manifest, upload and stage, create a
// rolling deployment of the droplet, and poll it until it is DEPLOYED. Nothing is verified.
func (o cfOps) pushRolling(ctx context.Context, a cfpush.App) error {
	if err := o.applyManifest(ctx, a); err != nil {
		return err
	}
	app, err := o.p.AppNamed(ctx, a.Name)
	if err != nil {
		return err
	}
	droplet, err := o.p.Stage(ctx, app.GUID, o.zip)
	if err != nil {
		return err
	}
	req := resource.NewDeploymentCreate(app.GUID)
	req.Droplet, req.Strategy = &resource.Relationship{GUID: droplet}, "rolling"
	dep, err := o.p.CF.Deployments.Create(ctx, req)
	if err != nil {
		return fmt.Errorf("create deployment: %w", err)
	}
	for {
		d, err := o.p.CF.Deployments.Get(ctx, dep.GUID)
		if err != nil {
			return fmt.Errorf("read deployment: %w", err)
		}
		if d.Status.Value == "FINALIZED" {
			if d.Status.Reason != "DEPLOYED" {
				return fmt.Errorf("deployment ended %s", d.Status.Reason)
			}
			return nil
		}
		if err := pause(ctx, o.p.Poll.CheckInterval); err != nil {
			return fmt.Errorf("deployment %s: %w", dep.GUID, err)
		}
	}
}

func (o cfOps) applyManifest(ctx context.Context, a cfpush.App) error {
	job, err := o.p.CF.Manifests.ApplyManifest(ctx, o.p.SpaceGUID, a.Manifest(o.p.Domain))
	if err == nil {
		err = o.p.CF.Jobs.PollComplete(ctx, job, o.p.Poll)
	}
	if err != nil {
		return fmt.Errorf("apply manifest of %s: %w", a.Name, err)
	}
	return nil
}

func (o cfOps) waitStarted(ctx context.Context, appGUID string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return o.p.WaitRunning(ctx, appGUID, 1)
}

// rename is `cf rename`.
func (o cfOps) rename(ctx context.Context, guid, name string) error {
	if _, err := o.p.CF.Applications.Update(ctx, guid, &resource.AppUpdate{Name: name}); err != nil {
		return fmt.Errorf("rename to %s: %w", name, err)
	}
	return nil
}

// deleteApp is `cf delete -f`: delete, then wait for the job.
func (o cfOps) deleteApp(ctx context.Context, guid string) error {
	job, err := o.p.CF.Applications.Delete(ctx, guid)
	if err == nil {
		err = o.p.CF.Jobs.PollComplete(ctx, job, o.p.Poll)
	}
	if err != nil {
		return fmt.Errorf("delete app %s: %w", guid, err)
	}
	return nil
}

// appNamed finds an app by name; nil when there is none.
func (o cfOps) appNamed(ctx context.Context, name string) (*resource.App, error) {
	opts := client.NewAppListOptions()
	opts.Names.EqualTo(name)
	opts.SpaceGUIDs.EqualTo(o.p.SpaceGUID)
	apps, err := o.p.CF.Applications.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("find app %s: %w", name, err)
	}
	if len(apps) == 0 {
		return nil, nil
	}
	return apps[0], nil
}

func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(d):
		return nil
	}
}
