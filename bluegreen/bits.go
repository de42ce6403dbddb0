package bluegreen

import (
	"context"
	"fmt"
)

// Upload uploads bits as a new package of appGUID and returns it. A folder goes through the
// Cloud Controller's resource matching, so files it already holds (the unchanged jars of a
// redeploy) are not sent again; an archive is sent whole.
func (r *Run) Upload(ctx context.Context, appGUID string, bits Bits) (string, error) {
	if bits.Files == nil {
		return r.CC.Upload(ctx, appGUID, bits.Zip)
	}
	pkg, st, err := r.CC.UploadFiles(ctx, appGUID, *bits.Files)
	if err != nil {
		return pkg, err
	}
	if st.Matched > 0 {
		r.Log.Note("resource matching: %d of %d files (%s of %s) already on the platform, not uploaded",
			st.Matched, st.Files, megabytes(st.MatchedBytes), megabytes(st.Bytes))
	}
	return pkg, nil
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
