package bluegreen

import (
	"context"
	"fmt"
)

// uploadApp uploads the plan's app as a new package of appGUID. A folder goes through the
// Cloud Controller's resource matching, so files it already holds (the unchanged jars of a
// redeploy) are not sent again; an archive is sent whole.
func (d *deployer) uploadApp(ctx context.Context, appGUID string) error {
	if d.plan.Files == nil {
		return d.uploadBits(ctx, appGUID, d.plan.Bits)
	}
	pkg, st, err := d.p.UploadFiles(ctx, appGUID, *d.plan.Files)
	d.pkg = pkg
	if err != nil {
		return err
	}
	if st.Matched > 0 {
		d.log.Note("resource matching: %d of %d files (%s of %s) already on the platform, not uploaded",
			st.Matched, st.Files, megabytes(st.MatchedBytes), megabytes(st.Bytes))
	}
	return nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
