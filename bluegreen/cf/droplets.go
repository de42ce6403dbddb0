package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"fmt"
	"io"
	"path"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Droplet reads a droplet.
func (c *Client) Droplet(ctx context.Context, guid string) (platform.DropletInfo, error) {
	d, err := c.cf.Droplets.Get(ctx, guid)
	if err != nil {
		return platform.DropletInfo{}, fmt.Errorf("read droplet %s: %w", guid, err)
	}
	info := platform.DropletInfo{GUID: d.GUID, ProcessTypes: d.ProcessTypes, Checksum: d.Checksum.Value, State: platform.DropletState(d.State)}
	if d.Lifecycle.Type == string(platform.LifecycleDocker) && d.Image != nil {
		info.Image = *d.Image
	}
	return info, nil
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
// foundation's download), without staging, and waits until it is STAGED. As with packages,
// a droplet whose creation answer was lost is found again, and bits are not sent twice.
func (c *Client) UploadDroplet(ctx context.Context, appGUID string, processTypes map[string]string, write func(io.Writer) error) (string, error) {
	d, err := create(ctx, c.retry, "create droplet", func() (*resource.Droplet, error) {
		return c.cf.Droplets.Create(ctx, &resource.DropletCreate{
			Relationships: resource.AppRelationship{App: resource.ToOneRelationship{Data: &resource.Relationship{GUID: appGUID}}},
			ProcessTypes:  processTypes,
		})
	}, func() (*resource.Droplet, bool, error) { return c.emptyDroplet(ctx, appGUID) })
	if err != nil {
		return "", err
	}
	location := ""
	err = act(ctx, c.retry, "upload droplet", func() error {
		var err error
		location, err = c.streamUpload(ctx, "/v3/droplets/"+d.GUID+"/upload", write)
		return err
	}, func() (bool, error) {
		got, err := c.Droplet(ctx, d.GUID)
		return platform.DropletState(got.State) != platform.DropletAwaitingUpload, err
	})
	if err != nil {
		return "", err
	}
	if err := c.waitJob(ctx, "upload droplet", path.Base(location)); err != nil {
		return "", err
	}
	// The job's answer may have been lost with the upload's: the droplet's state decides.
	wctx, cancel := c.bounded(ctx, "wait for the droplet")
	defer cancel()
	err = c.wait(wctx, "wait for the droplet", func() (bool, error) {
		got, err := c.Droplet(wctx, d.GUID)
		switch {
		case err != nil:
			return false, err
		case platform.DropletState(got.State) == platform.DropletStaged:
			return true, nil
		case platform.DropletState(got.State) != platform.DropletProcessingUpload && platform.DropletState(got.State) != platform.DropletAwaitingUpload:
			return false, fmt.Errorf("uploaded droplet %s is %s, not STAGED", d.GUID, got.State)
		}
		return false, nil
	})
	if err != nil {
		return "", err
	}
	return d.GUID, nil
}

// emptyDroplet finds the app's newest droplet still awaiting its bits.
func (c *Client) emptyDroplet(ctx context.Context, appGUID string) (*resource.Droplet, bool, error) {
	ds, err := c.cf.Droplets.ListForAppAll(ctx, appGUID, client.NewDropletAppListOptions())
	if err != nil {
		return nil, false, fmt.Errorf("list droplets: %w", err)
	}
	for i := len(ds) - 1; i >= 0; i-- {
		if platform.DropletState(ds[i].State) == platform.DropletAwaitingUpload {
			return ds[i], true, nil
		}
	}
	return nil, false, nil
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
func (c *Client) RevisionByGUID(ctx context.Context, guid string) (platform.Revision, bool, error) {
	r, err := c.cf.Revisions.Get(ctx, guid)
	if resource.IsResourceNotFoundError(err) {
		return platform.Revision{}, false, nil
	}
	if err != nil {
		return platform.Revision{}, false, fmt.Errorf("read revision %s: %w", guid, err)
	}
	return platform.Revision{GUID: r.GUID, Version: r.Version, DropletGUID: r.Droplet.GUID, Deployable: r.Deployable,
		Description: r.Description, Created: r.CreatedAt}, true, nil
}
