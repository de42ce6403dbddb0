package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// The Cloud Controller's resource pool keeps files between these sizes by default
// (cc.resource_pool.minimum_size and maximum_size); its resource_matches endpoint never
// reports others, so asking about them only makes the request bigger.
const (
	maxMatchSize = 512 * 1024 * 1024
	matchBatch   = 1000 // resources per resource_matches request, as the cf CLI sends them
)

// UploadFiles creates a bits package for the app the way the cf CLI pushes a folder: it asks
// CC which files its resource pool already holds (by SHA-1 and size), streams a zip of the
// others, and lists the held ones in the upload's resources field so CC adds them from its
// pool. An unchanged large app then sends almost nothing. It waits until the package is READY.
func (c *Client) UploadFiles(ctx context.Context, appGUID string, files platform.AppFiles) (string, platform.UploadStats, error) {
	var st platform.UploadStats
	list, err := files.List()
	if err != nil {
		return "", st, fmt.Errorf("list app files: %w", err)
	}
	held, err := c.matchResources(ctx, list)
	if err != nil {
		return "", st, err
	}
	matched, cached := map[string]bool{}, []platform.Resource{}
	for _, r := range list {
		st.Files++
		st.Bytes += r.Size
		if eligible(r) && held[matchKey(r.SHA1, r.Size)] {
			st.Matched++
			st.MatchedBytes += r.Size
			matched[r.Path] = true
			cached = append(cached, r)
		}
	}
	pkg, err := create(ctx, c.retry, "create package", func() (*resource.Package, error) {
		return c.cf.Packages.Create(ctx, resource.NewPackageCreate(appGUID))
	}, func() (*resource.Package, bool, error) { return c.emptyPackage(ctx, appGUID) })
	if err != nil {
		return "", st, err
	}
	var bits func(io.Writer) error
	if len(cached) < len(list) { // CC refuses an empty zip: send bits only when some are left
		bits = func(w io.Writer) error { return files.Write(w, func(p string) bool { return matched[p] }) }
	}
	err = act(ctx, c.retry, "upload bits", func() error { return c.postPackage(ctx, pkg.GUID, cached, bits) },
		func() (bool, error) {
			p, err := c.cf.Packages.Get(ctx, pkg.GUID)
			if err != nil {
				return false, fmt.Errorf("read package: %w", err)
			}
			return platform.PackageState(p.State) != platform.PackageAwaitingUpload, nil
		})
	if err != nil {
		return "", st, err
	}
	return pkg.GUID, st, c.awaitPackage(ctx, pkg.GUID)
}

func eligible(r platform.Resource) bool {
	return r.SHA1 != "" && r.Mode.IsRegular() && r.Size >= platform.MinMatchSize && r.Size <= maxMatchSize
}

func matchKey(sha1 string, size int64) string { return sha1 + "/" + strconv.FormatInt(size, 10) }

// matchResources asks CC which of the eligible files it holds, in batches; the answer is a
// set of SHA-1/size keys (CC matches on those alone, so every file with one is held).
func (c *Client) matchResources(ctx context.Context, list []platform.Resource) (map[string]bool, error) {
	held := map[string]bool{}
	var batch []resource.ResourceMatch
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		got, err := c.cf.ResourceMatches.Create(ctx, &resource.ResourceMatches{Resources: batch})
		if err != nil {
			return fmt.Errorf("resource matching: %w", err)
		}
		for _, m := range got.Resources {
			held[matchKey(m.Checksum.Value, int64(m.SizeInBytes))] = true
		}
		batch = batch[:0]
		return nil
	}
	for _, r := range list {
		if !eligible(r) {
			continue
		}
		batch = append(batch, toMatch(r))
		if len(batch) == matchBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return held, flush()
}

func toMatch(r platform.Resource) resource.ResourceMatch {
	return resource.ResourceMatch{Checksum: resource.ResourceMatchChecksum{Value: r.SHA1}, SizeInBytes: int(r.Size),
		Path: r.Path, Mode: strconv.FormatUint(uint64(r.Mode.Perm()), 8)}
}

// postPackage streams the package upload: the resources field (possibly empty), then the
// bits zip when bits is set. Nothing is buffered: the zip is written as it is sent, and
// GetBody writes it again if go-cfclient replays the request after refreshing its token
// (without GetBody it would read the whole upload into memory first; see streamUpload).
func (c *Client) postPackage(ctx context.Context, pkgGUID string, cached []platform.Resource, bits func(io.Writer) error) error {
	fields := make([]resource.ResourceMatch, 0, len(cached))
	for _, r := range cached {
		fields = append(fields, toMatch(r))
	}
	resources, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("upload bits: %w", err)
	}
	boundary := multipart.NewWriter(io.Discard).Boundary()
	body, contentType := packageStream(resources, bits, boundary)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cf.ApiURL("/v3/packages/"+pkgGUID+"/upload"), body)
	if err != nil {
		_ = body.Close()
		return fmt.Errorf("upload bits: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.GetBody = func() (io.ReadCloser, error) {
		again, _ := packageStream(resources, bits, boundary)
		return again, nil
	}
	resp, err := c.cf.ExecuteAuthRequest(req)
	if err != nil {
		return fmt.Errorf("upload bits: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return nil
}

// packageStream is a request body fed through a pipe: the multipart fields "resources" and,
// when bits is set, "bits"; it returns the body's Content-Type.
func packageStream(resources []byte, bits func(io.Writer) error, boundary string) (io.ReadCloser, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	_ = mw.SetBoundary(boundary) // a boundary from multipart.NewWriter is always valid
	go func() {
		err := mw.WriteField("resources", string(resources))
		if err == nil && bits != nil {
			var part io.Writer
			if part, err = mw.CreateFormFile("bits", "package.zip"); err == nil {
				if err = bits(part); err != nil {
					err = &sourceError{err: err} // not a lost connection: never retried
				}
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// awaitPackage waits until CC has processed the upload: READY, or FAILED with its reason.
func (c *Client) awaitPackage(ctx context.Context, pkgGUID string) error {
	ctx, cancel := c.bounded(ctx, "wait for the package")
	defer cancel()
	return c.wait(ctx, "wait for the package", func() (bool, error) {
		p, err := c.cf.Packages.Get(ctx, pkgGUID)
		if err != nil {
			return false, fmt.Errorf("read package: %w", err)
		}
		if platform.PackageState(p.State) == platform.PackageFailed {
			return false, fmt.Errorf("package processing failed: %s", packageError(p))
		}
		return platform.PackageState(p.State) == platform.PackageReady, nil
	})
}
