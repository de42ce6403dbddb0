package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"fmt"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

func toDeployment(d *resource.Deployment) platform.Deployment {
	out := platform.Deployment{GUID: d.GUID, Value: platform.DeploymentValue(d.Status.Value), Reason: platform.DeploymentReason(d.Status.Reason),
		DropletGUID: d.Droplet.GUID, PreviousDroplet: d.PreviousDroplet.GUID, RevisionGUID: d.Revision.GUID}
	if d.Revision.Version != nil {
		out.RevisionVersion = *d.Revision.Version
	}
	if d.Status.Details != nil {
		out.Error = d.Status.Details.Error
	}
	if c := d.Status.Canary; c != nil && c.Steps != nil {
		out.CanaryStep, out.CanarySteps = c.Steps.Current, c.Steps.Total
	}
	for _, p := range d.NewProcesses {
		out.NewProcesses = append(out.NewProcesses, p.GUID)
	}
	if d.Metadata != nil {
		out.Annotations = metadataValues(d.Metadata.Annotations)
	}
	return out
}

// CreateDeployment starts a deployment.
func (c *Client) CreateDeployment(ctx context.Context, r platform.DeploymentRequest) (platform.Deployment, error) {
	req := deploymentCreate(r)
	// A second deployment would supersede the first, so a lost answer is reconciled: the
	// deployment that was not there before this call is the one it made.
	before, err := c.Deployments(ctx, r.AppGUID)
	if err != nil {
		return platform.Deployment{}, err
	}
	known := map[string]bool{}
	for _, d := range before {
		known[d.GUID] = true
	}
	return create(ctx, c.retry, "create the deployment", func() (platform.Deployment, error) {
		d, err := c.cf.Deployments.Create(ctx, req)
		if err != nil {
			return platform.Deployment{}, err
		}
		return toDeployment(d), nil
	}, func() (platform.Deployment, bool, error) {
		now, err := c.Deployments(ctx, r.AppGUID)
		if err != nil {
			return platform.Deployment{}, false, err
		}
		for i := len(now) - 1; i >= 0; i-- {
			if !known[now[i].GUID] {
				return now[i], true, nil
			}
		}
		return platform.Deployment{}, false, nil
	})
}

// deploymentCreate is CC's request for r.
func deploymentCreate(r platform.DeploymentRequest) *resource.DeploymentCreate {
	req := resource.NewDeploymentCreate(r.AppGUID)
	req.Strategy = string(r.Strategy)
	if r.DropletGUID != "" {
		req.Droplet = &resource.Relationship{GUID: r.DropletGUID}
	}
	if r.RevisionGUID != "" {
		req.Revision = &resource.DeploymentRevision{GUID: r.RevisionGUID}
	}
	opts := &resource.DeploymentOptions{}
	if r.MaxInFlight > 0 {
		opts.MaxInFlight = &r.MaxInFlight
	}
	if len(r.CanarySteps) > 0 {
		opts.Canary = &resource.DeploymentCanaryOptions{}
		for _, w := range r.CanarySteps {
			opts.Canary.Steps = append(opts.Canary.Steps, resource.CanaryStep{InstanceWeight: w})
		}
	}
	req.Options = opts
	if len(r.Annotations) > 0 {
		req.Metadata = &resource.Metadata{Annotations: map[string]*string{}}
		for k, v := range r.Annotations {
			req.Metadata.Annotations[k] = &v
		}
	}
	return req
}

// Deployment reads a deployment.
func (c *Client) Deployment(ctx context.Context, guid string) (platform.Deployment, error) {
	d, err := c.cf.Deployments.Get(ctx, guid)
	if err != nil {
		return platform.Deployment{}, fmt.Errorf("read deployment %s: %w", guid, err)
	}
	return toDeployment(d), nil
}

// ActiveDeployment returns the app's ACTIVE deployment, or nil.
func (c *Client) ActiveDeployment(ctx context.Context, appGUID string) (*platform.Deployment, error) {
	opts := client.NewDeploymentListOptions()
	opts.AppGUIDs.EqualTo(appGUID)
	opts.StatusValues.EqualTo(string(platform.DeploymentActive))
	ds, err := c.cf.Deployments.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("list the app's deployments: %w", err)
	}
	if len(ds) == 0 {
		return nil, nil
	}
	d := toDeployment(ds[len(ds)-1])
	return &d, nil
}

// AnnotateDeployment sets (nil values remove) annotations on a deployment.
func (c *Client) AnnotateDeployment(ctx context.Context, guid string, annotations map[string]*string) error {
	m := &resource.Metadata{Annotations: annotations}
	if _, err := c.cf.Deployments.Update(ctx, guid, &resource.DeploymentUpdate{Metadata: m}); err != nil {
		return fmt.Errorf("annotate deployment %s: %w", guid, err)
	}
	return nil
}

// CancelDeployment asks CC to revert the deployment; the updater finishes it later. CC
// refuses to cancel twice, so a failure is followed by a look at the deployment.
func (c *Client) CancelDeployment(ctx context.Context, guid string) error {
	return act(ctx, c.retry, "cancel deployment "+guid,
		func() error { return c.cf.Deployments.Cancel(ctx, guid) },
		func() (bool, error) {
			d, err := c.Deployment(ctx, guid)
			return d.Reason == platform.ReasonCanceling || d.Reason == platform.ReasonCanceled, err
		})
}

// ContinueDeployment moves a paused canary to its next step. Continuing twice would skip a
// step, so a failure is followed by a look: the deployment left the pause it was in.
func (c *Client) ContinueDeployment(ctx context.Context, guid string) error {
	paused, err := c.Deployment(ctx, guid)
	if err != nil {
		return err
	}
	return act(ctx, c.retry, "continue deployment "+guid,
		func() error { return c.cf.Deployments.Continue(ctx, guid) },
		func() (bool, error) {
			d, err := c.Deployment(ctx, guid)
			return d.Reason != platform.ReasonPaused || d.CanaryStep != paused.CanaryStep, err
		})
}

// ProcessInstances reads one process's instance states (by process guid).
func (c *Client) ProcessInstances(ctx context.Context, processGUID string) ([]platform.Instance, error) {
	stats, err := c.cf.Processes.GetStats(ctx, processGUID)
	if err != nil {
		return nil, fmt.Errorf("read instances of process %s: %w", processGUID, err)
	}
	return toInstances(stats), nil
}

// WebProcesses lists the app's web processes, oldest first (two or more during a deployment).
func (c *Client) WebProcesses(ctx context.Context, appGUID string) ([]platform.Process, error) {
	opts := client.NewProcessOptions()
	opts.Types.EqualTo("web")
	procs, err := c.cf.Processes.ListForAppAll(ctx, appGUID, opts)
	if err != nil {
		return nil, fmt.Errorf("list web processes of app %s: %w", appGUID, err)
	}
	var out []platform.Process
	for _, p := range procs {
		out = append(out, platform.Process{GUID: p.GUID, Instances: p.Instances, MemoryMB: p.MemoryInMB})
	}
	return out, nil
}

// Revisions lists the app's revisions, oldest first.
func (c *Client) Revisions(ctx context.Context, appGUID string) ([]platform.Revision, error) {
	revs, err := c.cf.Revisions.ListForAppAll(ctx, appGUID, client.NewRevisionListOptions())
	if err != nil {
		return nil, fmt.Errorf("list revisions of app %s: %w", appGUID, err)
	}
	var out []platform.Revision
	for _, r := range revs {
		out = append(out, platform.Revision{GUID: r.GUID, Version: r.Version, DropletGUID: r.Droplet.GUID,
			Deployable: r.Deployable, Description: r.Description, Created: r.CreatedAt})
	}
	return out, nil
}

// SetEnvVars merges env vars into the app's; a nil value removes a variable.
func (c *Client) SetEnvVars(ctx context.Context, appGUID string, env map[string]*string) error {
	if _, err := c.cf.Applications.SetEnvironmentVariables(ctx, appGUID, env); err != nil {
		return fmt.Errorf("set env of app %s: %w", appGUID, err)
	}
	return nil
}

// Deployments lists the app's deployments, oldest first.
func (c *Client) Deployments(ctx context.Context, appGUID string) ([]platform.Deployment, error) {
	opts := client.NewDeploymentListOptions()
	opts.AppGUIDs.EqualTo(appGUID)
	ds, err := c.cf.Deployments.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("list the deployments of app %s: %w", appGUID, err)
	}
	out := make([]platform.Deployment, 0, len(ds))
	for _, d := range ds {
		out = append(out, toDeployment(d))
	}
	return out, nil
}
