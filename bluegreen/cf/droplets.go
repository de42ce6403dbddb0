package cf

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// DropletInfo is a droplet's identity: what it runs and its checksum.
type DropletInfo struct {
	GUID         string
	ProcessTypes map[string]string
	Checksum     string // sha256
	State        string
}

// Droplet reads a droplet.
func (c *Client) Droplet(ctx context.Context, guid string) (DropletInfo, error) {
	d, err := c.cf.Droplets.Get(ctx, guid)
	if err != nil {
		return DropletInfo{}, fmt.Errorf("read droplet %s: %w", guid, err)
	}
	return DropletInfo{GUID: d.GUID, ProcessTypes: d.ProcessTypes, Checksum: d.Checksum.Value, State: string(d.State)}, nil
}

// DownloadDroplet streams a droplet's bits (a .tgz) into w.
func (c *Client) DownloadDroplet(ctx context.Context, guid string, w io.Writer) error {
	body, err := c.cf.Droplets.Download(ctx, guid)
	if err != nil {
		return fmt.Errorf("download droplet %s: %w", guid, err)
	}
	defer body.Close()
	if _, err := io.Copy(w, body); err != nil {
		return fmt.Errorf("download droplet %s: %w", guid, err)
	}
	return nil
}

// UploadDroplet creates a droplet for the app from droplet bits (a .tgz from another
// foundation's download), without staging, and waits until it is STAGED.
func (c *Client) UploadDroplet(ctx context.Context, appGUID string, processTypes map[string]string, write func(io.Writer) error) (string, error) {
	d, err := c.cf.Droplets.Create(ctx, &resource.DropletCreate{
		Relationships: resource.AppRelationship{App: resource.ToOneRelationship{Data: &resource.Relationship{GUID: appGUID}}},
		ProcessTypes:  processTypes,
	})
	if err != nil {
		return "", fmt.Errorf("create droplet: %w", err)
	}
	location, err := c.streamUpload(ctx, "/v3/droplets/"+d.GUID+"/upload", write)
	if err != nil {
		return "", err
	}
	if err := c.waitJob(ctx, "upload droplet", path.Base(location)); err != nil {
		return "", err
	}
	got, err := c.Droplet(ctx, d.GUID)
	if err != nil {
		return "", err
	}
	if got.State != "STAGED" {
		return "", fmt.Errorf("uploaded droplet %s is %s, not STAGED", d.GUID, got.State)
	}
	return d.GUID, nil
}

// AppManifest is CC's generated manifest of the app (YAML).
func (c *Client) AppManifest(ctx context.Context, appGUID string) (string, error) {
	m, err := c.cf.Manifests.Generate(ctx, appGUID)
	if err != nil {
		return "", fmt.Errorf("read the manifest of app %s: %w", appGUID, err)
	}
	return m, nil
}

// RevisionByGUID reads one revision; ok is false when it no longer exists.
func (c *Client) RevisionByGUID(ctx context.Context, guid string) (Revision, bool, error) {
	r, err := c.cf.Revisions.Get(ctx, guid)
	if resource.IsResourceNotFoundError(err) {
		return Revision{}, false, nil
	}
	if err != nil {
		return Revision{}, false, fmt.Errorf("read revision %s: %w", guid, err)
	}
	return Revision{GUID: r.GUID, Version: r.Version, DropletGUID: r.Droplet.GUID, Deployable: r.Deployable,
		Description: r.Description, Created: r.CreatedAt}, true, nil
}
