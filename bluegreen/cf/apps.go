package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Space finds an org and a space by name.
func (c *Client) Space(ctx context.Context, org, space string) (platform.Space, error) {
	oopts := client.NewOrganizationListOptions()
	oopts.Names.EqualTo(org)
	o, err := c.cf.Organizations.Single(ctx, oopts)
	if err != nil {
		return platform.Space{}, fmt.Errorf("organization %q: %w", org, notFound(err, platform.ErrNoOrg))
	}
	sopts := client.NewSpaceListOptions()
	sopts.Names.EqualTo(space)
	sopts.OrganizationGUIDs.EqualTo(o.GUID)
	s, err := c.cf.Spaces.Single(ctx, sopts)
	if err != nil {
		return platform.Space{}, fmt.Errorf("space %q in organization %q: %w", space, org, notFound(err, platform.ErrNoSpace))
	}
	out := platform.Space{GUID: s.GUID, Name: s.Name, OrgGUID: o.GUID, OrgName: o.Name}
	if o.Relationships.Quota.Data != nil {
		out.OrgQuotaGUID = o.Relationships.Quota.Data.GUID
	}
	if s.Relationships != nil && s.Relationships.Quota != nil && s.Relationships.Quota.Data != nil {
		out.QuotaGUID = s.Relationships.Quota.Data.GUID
	}
	return out, nil
}

func notFound(err, sentinel error) error {
	if errors.Is(err, client.ErrExactlyOneResultNotReturned) || errors.Is(err, client.ErrNoResultsReturned) {
		return sentinel
	}
	return err
}

func toApp(a *resource.App) *platform.App {
	out := &platform.App{GUID: a.GUID, Name: a.Name, State: platform.AppState(a.State), Created: a.CreatedAt,
		Lifecycle: platform.Lifecycle(a.Lifecycle.Type), Labels: map[string]string{}, Annotations: map[string]string{}}
	if a.Relationships.CurrentDroplet.Data != nil {
		out.DropletGUID = a.Relationships.CurrentDroplet.Data.GUID
	}
	if a.Metadata != nil {
		out.Labels, out.Annotations = metadataValues(a.Metadata.Labels), metadataValues(a.Metadata.Annotations)
	}
	return out
}

// metadataValues reads CC labels or annotations (nil values are absent keys).
func metadataValues(m map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// AppByName returns the app of that name in the space, or nil.
func (c *Client) AppByName(ctx context.Context, spaceGUID, name string) (*platform.App, error) {
	opts := client.NewAppListOptions()
	opts.Names.EqualTo(name)
	opts.SpaceGUIDs.EqualTo(spaceGUID)
	apps, err := c.cf.Applications.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("look up app %q: %w", name, err)
	}
	if len(apps) == 0 {
		return nil, nil
	}
	return toApp(apps[0]), nil
}

// App reads an app by guid; nil when it no longer exists.
func (c *Client) App(ctx context.Context, guid string) (*platform.App, error) {
	a, err := c.cf.Applications.Get(ctx, guid)
	if resource.IsResourceNotFoundError(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read app %s: %w", guid, err)
	}
	return toApp(a), nil
}

// AppsWithLabel lists the space's apps matching a label selector such as "k=v".
func (c *Client) AppsWithLabel(ctx context.Context, spaceGUID, key, value string) ([]*platform.App, error) {
	opts := client.NewAppListOptions()
	opts.SpaceGUIDs.EqualTo(spaceGUID)
	opts.LabelSel = client.LabelSelector{}
	opts.LabelSel.EqualTo(key, value)
	apps, err := c.cf.Applications.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("list apps with %s=%s: %w", key, value, err)
	}
	out := make([]*platform.App, 0, len(apps))
	for _, a := range apps {
		out = append(out, toApp(a))
	}
	return out, nil
}

// CreateApp creates a stopped app with metadata; ErrNameTaken when the name is in use. When
// CC's answer is lost, the app of that name carrying exactly these annotations is this call's
// (the lease's deploy id and expiry make them unique), so it is never created twice.
func (c *Client) CreateApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*platform.App, error) {
	return c.createApp(ctx, spaceGUID, name, nil, labels, annotations)
}

// CreateDockerApp is CreateApp for an app of the docker lifecycle (`lifecycle: {type: docker,
// data: {}}`): the image comes later, with each docker package.
func (c *Client) CreateDockerApp(ctx context.Context, spaceGUID, name string, labels, annotations map[string]string) (*platform.App, error) {
	docker := &resource.Lifecycle{Type: string(platform.LifecycleDocker), Data: &resource.DockerLifecycle{}}
	return c.createApp(ctx, spaceGUID, name, docker, labels, annotations)
}

// createApp creates the app with lifecycle (nil: CC's default, buildpack).
func (c *Client) createApp(ctx context.Context, spaceGUID, name string, lifecycle *resource.Lifecycle, labels, annotations map[string]string) (*platform.App, error) {
	req := resource.NewAppCreate(name, spaceGUID)
	req.Lifecycle = lifecycle
	req.Metadata = metadataOf(labels, annotations)
	find := func() (*platform.App, bool, error) {
		a, err := c.AppByName(ctx, spaceGUID, name)
		if err != nil || a == nil {
			return nil, false, err
		}
		return a, hasAnnotations(a, annotations), nil
	}
	a, err := create(ctx, c.retry, fmt.Sprintf("create app %q", name), func() (*platform.App, error) {
		a, err := c.cf.Applications.Create(ctx, req)
		if err != nil {
			return nil, err
		}
		return toApp(a), nil
	}, find)
	if isUniqueness(err) {
		if mine, ok, ferr := find(); ferr == nil && ok {
			return mine, nil // a try whose answer was lost made it
		}
		return nil, platform.ErrNameTaken
	}
	return a, err
}

func hasAnnotations(a *platform.App, want map[string]string) bool {
	for k, v := range want {
		if a.Annotations[k] != v {
			return false
		}
	}
	return true
}

func metadataOf(labels, annotations map[string]string) *resource.Metadata {
	md := &resource.Metadata{Labels: map[string]*string{}, Annotations: map[string]*string{}}
	for k, v := range labels {
		md.Labels[k] = &v
	}
	for k, v := range annotations {
		md.Annotations[k] = &v
	}
	return md
}

// Update renames an app and/or changes its metadata; a nil value removes a key. go-cfclient
// always sends the name, so the current or new name is always given (its gotcha 4.1).
func (c *Client) Update(ctx context.Context, guid, name string, labels, annotations map[string]*string) error {
	upd := &resource.AppUpdate{Name: name}
	if labels != nil || annotations != nil {
		upd.Metadata = &resource.Metadata{Labels: labels, Annotations: annotations}
	}
	if _, err := c.cf.Applications.Update(ctx, guid, upd); err != nil {
		return fmt.Errorf("update app %q: %w", name, err)
	}
	return nil
}

// DeleteApp deletes an app and waits for CC's job.
func (c *Client) DeleteApp(ctx context.Context, guid string) error {
	job, err := c.cf.Applications.Delete(ctx, guid)
	if resource.IsResourceNotFoundError(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete app %s: %w", guid, err)
	}
	return c.waitJob(ctx, "delete app "+guid, job)
}

// Start starts an app; instances come up on their own (see Instances).
func (c *Client) Start(ctx context.Context, guid string) error {
	if _, err := c.cf.Applications.Start(ctx, guid); err != nil {
		return fmt.Errorf("start app %s: %w", guid, err)
	}
	return nil
}

// Stop stops an app.
func (c *Client) Stop(ctx context.Context, guid string) error {
	if _, err := c.cf.Applications.Stop(ctx, guid); err != nil {
		return fmt.Errorf("stop app %s: %w", guid, err)
	}
	return nil
}

// EnvVars reads the app's user-provided environment variables.
func (c *Client) EnvVars(ctx context.Context, guid string) (map[string]string, error) {
	env, err := c.cf.Applications.GetEnvironmentVariables(ctx, guid)
	if err != nil {
		return nil, fmt.Errorf("read env of app %s: %w", guid, err)
	}
	out := map[string]string{}
	for k, v := range env {
		if v != nil {
			out[k] = *v
		}
	}
	return out, nil
}

// ApplyManifest applies a manifest to the space and waits for its job.
func (c *Client) ApplyManifest(ctx context.Context, spaceGUID string, yaml []byte) error {
	job, err := c.cf.Manifests.ApplyManifest(ctx, spaceGUID, string(yaml))
	if err != nil {
		return fmt.Errorf("apply manifest: %w", err)
	}
	return c.waitJob(ctx, "apply manifest", job)
}

// WebProcess reads the app's (newest) web process.
func (c *Client) WebProcess(ctx context.Context, appGUID string) (platform.Process, error) {
	opts := client.NewProcessOptions()
	opts.Types.EqualTo("web")
	procs, err := c.cf.Processes.ListForAppAll(ctx, appGUID, opts)
	if err != nil {
		return platform.Process{}, fmt.Errorf("read web process of app %s: %w", appGUID, err)
	}
	if len(procs) == 0 {
		return platform.Process{}, fmt.Errorf("app %s has no web process", appGUID)
	}
	p := procs[len(procs)-1]
	return platform.Process{GUID: p.GUID, Instances: p.Instances, MemoryMB: p.MemoryInMB}, nil
}

// Instances reads the web process's instance states.
func (c *Client) Instances(ctx context.Context, appGUID string) ([]platform.Instance, error) {
	stats, err := c.cf.Processes.GetStatsForApp(ctx, appGUID, "web")
	if err != nil {
		return nil, fmt.Errorf("read instances of app %s: %w", appGUID, err)
	}
	return toInstances(stats), nil
}

func toInstances(stats *resource.ProcessStats) []platform.Instance {
	var out []platform.Instance
	for _, s := range stats.Stats {
		in := platform.Instance{Index: s.Index, State: platform.InstanceState(s.State), Routable: s.Routable}
		if s.Details != nil {
			in.Details = *s.Details
		}
		out = append(out, in)
	}
	return out
}

// CrashReasons returns the exit descriptions of the app's crash events, oldest first.
func (c *Client) CrashReasons(ctx context.Context, appGUID string) ([]string, error) {
	opts := client.NewAuditEventListOptions()
	opts.Types.EqualTo("audit.app.process.crash")
	opts.TargetGUIDs.EqualTo(appGUID)
	events, err := c.cf.AuditEvents.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("read crash events of app %s: %w", appGUID, err)
	}
	var out []string
	for _, e := range events {
		var data struct {
			Index int    `json:"index"`
			Exit  string `json:"exit_description"`
		}
		if e.Data != nil && json.Unmarshal(*e.Data, &data) == nil {
			out = append(out, fmt.Sprintf("instance %d: %s", data.Index, data.Exit))
		}
	}
	return out, nil
}

// isUniqueness spots CC's CF-UniquenessError (10016); go-cfclient's generated predicate for
// that code names a v2 error, so match the title.
func isUniqueness(err error) bool {
	var cfErr resource.CloudFoundryError
	return errors.As(err, &cfErr) && cfErr.Title == "CF-UniquenessError"
}
