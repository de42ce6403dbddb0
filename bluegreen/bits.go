package bluegreen

import (
	"context"
	"fmt"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Upload makes a package of the app's bits on the app and notes what resource matching saved.
func (r *Run) Upload(ctx context.Context, appGUID string, bits Bits) (string, error) {
	up, err := r.UploadBits(ctx, appGUID, bits)
	if err == nil {
		r.NoteUpload(up)
	}
	return up.Package, err
}

// Uploaded is a package made of the app's bits, and what resource matching spared; or a
// docker package of Image.
type Uploaded struct {
	Package string
	Stats   platform.UploadStats
	Image   string // the docker image, as DockerImage.String names it (never its password)
}

// UploadBits makes the package without a word in the timeline, so it can run in the
// background of another step; NoteUpload says what it did once its step comes.
func (r *Run) UploadBits(ctx context.Context, appGUID string, bits Bits) (Uploaded, error) {
	if bits.Docker != nil {
		pkg, err := r.CC.CreateDockerPackage(ctx, appGUID, *bits.Docker)
		return Uploaded{Package: pkg, Image: bits.Docker.String()}, err
	}
	if bits.Files == nil {
		pkg, err := r.CC.Upload(ctx, appGUID, bits.Zip)
		return Uploaded{Package: pkg}, err
	}
	pkg, st, err := r.CC.UploadFiles(ctx, appGUID, *bits.Files)
	return Uploaded{Package: pkg, Stats: st}, err
}

// NoteUpload notes the files resource matching left out of the upload, or the image a docker
// package holds.
func (r *Run) NoteUpload(up Uploaded) {
	if up.Image != "" {
		r.Log.Note("docker package %s: image %s; no bits to upload, the docker lifecycle stages it", up.Package, up.Image)
	}
	if st := up.Stats; st.Matched > 0 {
		r.Log.Note("resource matching: %d of %d files (%s of %s) already on the platform, not uploaded",
			st.Matched, st.Files, megabytes(st.MatchedBytes), megabytes(st.Bytes))
	}
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// Stage stages a package within params.staging_timeout and returns the droplet; staging never
// changes the app's current droplet.
func (r *Run) Stage(ctx context.Context, pkg string) (string, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, r.Timeouts.Staging,
		fmt.Errorf("staging took longer than %s (params.staging_timeout)", r.Timeouts.Staging))
	defer cancel()
	return r.CC.Stage(ctx, pkg)
}

// UploadDroplet puts droplet bits on the app as a new droplet, without staging.
func (r *Run) UploadDroplet(ctx context.Context, appGUID string, d *DropletBits) (string, error) {
	return r.CC.UploadDroplet(ctx, appGUID, d.ProcessTypes, d.Write)
}
