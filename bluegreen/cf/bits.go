package cf

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Upload creates a bits package for the app and streams the zip that write produces into
// it, so a large app never sits in memory (go-cfclient's Upload buffers the whole body,
// its gotcha 4.5); it then waits until the package is READY.
func (c *Client) Upload(ctx context.Context, appGUID string, write func(io.Writer) error) (string, error) {
	pkg, err := c.cf.Packages.Create(ctx, resource.NewPackageCreate(appGUID))
	if err != nil {
		return "", fmt.Errorf("create package: %w", err)
	}
	if _, err := c.streamUpload(ctx, "/v3/packages/"+pkg.GUID+"/upload", write); err != nil {
		return "", err
	}
	err = c.wait(ctx, "wait for the package", func() (bool, error) {
		p, err := c.cf.Packages.Get(ctx, pkg.GUID)
		if err != nil {
			return false, fmt.Errorf("read package: %w", err)
		}
		if p.State == "FAILED" {
			return false, fmt.Errorf("package processing failed: %s", packageError(p))
		}
		return p.State == "READY", nil
	})
	return pkg.GUID, err
}

func packageError(p *resource.Package) string {
	if p.Data.Bits != nil && p.Data.Bits.Error != nil {
		return *p.Data.Bits.Error
	}
	return "unknown error"
}

// streamUpload posts a multipart "bits" field fed by write, without buffering it, and returns
// the answer's Location (a job, for droplet uploads).
func (c *Client) streamUpload(ctx context.Context, path string, write func(io.Writer) error) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("bits", "package.zip")
		if err == nil {
			err = write(part)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cf.ApiURL(path), pr)
	if err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("upload bits: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.cf.ExecuteAuthRequest(req)
	if err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("upload bits: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.Header.Get("Location"), nil
}

// Stage builds a droplet from a package and waits; a FAILED build is an error carrying
// CC's reason (e.g. "NoAppDetectedError - ...").
func (c *Client) Stage(ctx context.Context, pkgGUID string) (string, error) {
	b, err := c.cf.Builds.Create(ctx, resource.NewBuildCreate(pkgGUID))
	if err != nil {
		return "", fmt.Errorf("stage: %w", err)
	}
	droplet := ""
	err = c.wait(ctx, "staging", func() (bool, error) {
		b, err := c.cf.Builds.Get(ctx, b.GUID)
		if err != nil {
			return false, fmt.Errorf("read build: %w", err)
		}
		switch b.State {
		case "FAILED":
			reason := "unknown reason"
			if b.Error != nil {
				reason = *b.Error
			}
			return false, fmt.Errorf("staging failed: %s", reason)
		case "STAGED":
			droplet = b.Droplet.GUID
			return true, nil
		}
		return false, nil
	})
	return droplet, err
}

// SetDroplet makes the droplet the app's current one.
func (c *Client) SetDroplet(ctx context.Context, appGUID, dropletGUID string) error {
	if _, err := c.cf.Droplets.SetCurrentAssociationForApp(ctx, appGUID, dropletGUID); err != nil {
		return fmt.Errorf("set droplet: %w", err)
	}
	return nil
}

// DeployedRevision returns the guid of the revision the app's started processes run, or
// "" when the app has revisions disabled.
func (c *Client) DeployedRevision(ctx context.Context, appGUID string) (string, error) {
	revs, err := c.cf.Revisions.ListForAppDeployedAll(ctx, appGUID, client.NewRevisionListOptions())
	if err != nil {
		return "", fmt.Errorf("read deployed revision: %w", err)
	}
	if len(revs) == 0 {
		return "", nil
	}
	return revs[len(revs)-1].GUID, nil
}
