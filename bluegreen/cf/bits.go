package cf

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Upload creates a bits package for the app and streams the zip that write produces into
// it, so a large app never sits in memory (go-cfclient's Upload buffers the whole body,
// its gotcha 4.5); it then waits until the package is READY. A package whose creation
// answer was lost is found again; bits whose upload answer was lost are not sent twice.
func (c *Client) Upload(ctx context.Context, appGUID string, write func(io.Writer) error) (string, error) {
	pkg, err := create(ctx, c.retry, "create package", func() (*resource.Package, error) {
		return c.cf.Packages.Create(ctx, resource.NewPackageCreate(appGUID))
	}, func() (*resource.Package, bool, error) { return c.emptyPackage(ctx, appGUID) })
	if err != nil {
		return "", err
	}
	err = act(ctx, c.retry, "upload bits", func() error {
		_, err := c.streamUpload(ctx, "/v3/packages/"+pkg.GUID+"/upload", write)
		return err
	}, func() (bool, error) {
		p, err := c.cf.Packages.Get(ctx, pkg.GUID)
		if err != nil {
			return false, fmt.Errorf("read package: %w", err)
		}
		return platform.PackageState(p.State) != platform.PackageAwaitingUpload, nil
	})
	if err != nil {
		return "", err
	}
	return pkg.GUID, c.awaitPackage(ctx, pkg.GUID)
}

// emptyPackage finds the app's newest bits package still awaiting its upload: any such
// package is as good as the one a lost answer may have made.
func (c *Client) emptyPackage(ctx context.Context, appGUID string) (*resource.Package, bool, error) {
	pkgs, err := c.cf.Packages.ListForAppAll(ctx, appGUID, client.NewPackageListOptions())
	if err != nil {
		return nil, false, fmt.Errorf("list packages: %w", err)
	}
	for i := len(pkgs) - 1; i >= 0; i-- {
		if p := pkgs[i]; platform.PackageState(p.State) == platform.PackageAwaitingUpload && p.Type == "bits" {
			return p, true, nil
		}
	}
	return nil, false, nil
}

func packageError(p *resource.Package) string {
	if p.Data.Bits != nil && p.Data.Bits.Error != nil {
		return *p.Data.Bits.Error
	}
	return "unknown error"
}

// streamUpload posts a multipart "bits" field fed by write, without buffering it, and returns
// the answer's Location (a job, for droplet uploads). GetBody runs write again: go-cfclient's
// transport replays the body after refreshing a token CC refused (a 401), and without
// GetBody it would read the whole upload into memory first to be able to.
func (c *Client) streamUpload(ctx context.Context, path string, write func(io.Writer) error) (string, error) {
	boundary := multipart.NewWriter(io.Discard).Boundary()
	body, contentType := multipartStream(write, boundary)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cf.ApiURL(path), body)
	if err != nil {
		_ = body.Close()
		return "", fmt.Errorf("upload bits: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.GetBody = func() (io.ReadCloser, error) {
		again, _ := multipartStream(write, boundary)
		return again, nil
	}
	resp, err := c.cf.ExecuteAuthRequest(req)
	if err != nil {
		return "", fmt.Errorf("upload bits: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.Header.Get("Location"), nil
}

// multipartStream is a request body that write feeds, through a pipe, as the multipart file
// field "bits"; it returns the body's Content-Type.
func multipartStream(write func(io.Writer) error, boundary string) (io.ReadCloser, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	_ = mw.SetBoundary(boundary) // a boundary from multipart.NewWriter is always valid
	go func() {
		part, err := mw.CreateFormFile("bits", "package.zip")
		if err == nil {
			if err = write(part); err != nil {
				err = &sourceError{err: err}
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// sourceError is a failure to produce the upload (a file that cannot be read, a zip that
// cannot be made): the transport must not mistake it for a lost connection and retry.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// Stage builds a droplet from a package and waits; a FAILED build is an error carrying
// CC's reason (e.g. "NoAppDetectedError - ..."). A build whose creation answer was lost is
// found among the package's builds: CC would refuse a second one while it stages.
func (c *Client) Stage(ctx context.Context, pkgGUID string) (string, error) {
	b, err := create(ctx, c.retry, "stage", func() (*resource.Build, error) {
		return c.cf.Builds.Create(ctx, resource.NewBuildCreate(pkgGUID))
	}, func() (*resource.Build, bool, error) {
		opts := client.NewBuildListOptions()
		opts.PackageGUIDs.EqualTo(pkgGUID)
		builds, err := c.cf.Builds.ListAll(ctx, opts)
		if err != nil {
			return nil, false, fmt.Errorf("list builds: %w", err)
		}
		for i := len(builds) - 1; i >= 0; i-- {
			if builds[i].Package.GUID == pkgGUID {
				return builds[i], true, nil
			}
		}
		return nil, false, nil
	})
	if err != nil {
		return "", err
	}
	droplet := ""
	err = c.wait(ctx, "staging", func() (bool, error) {
		b, err := c.cf.Builds.Get(ctx, b.GUID)
		if err != nil {
			return false, fmt.Errorf("read build: %w", err)
		}
		switch platform.BuildState(b.State) {
		case platform.BuildFailed:
			reason := "unknown reason"
			if b.Error != nil {
				reason = *b.Error
			}
			return false, fmt.Errorf("staging failed: %s", reason)
		case platform.BuildStaged:
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
