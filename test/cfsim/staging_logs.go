package cfsim

import (
	"fmt"
	"os"
	"strings"
)

// logBuildpackStaging writes a buildpack staging task's STG lines after the buildpack ran:
// the download, the buildpack's output, the exit status, the upload and the container's end.
func logBuildpackStaging(c container, zipPath, dropletPath string, res stageResult) {
	c.output("OUT", "Downloaded app package ("+humanSize(fileSize(zipPath))+")")
	c.output("OUT", res.log...)
	c.exited(buildpackExitStatus(res.err))
	if res.err == "" {
		c.output("OUT", "Uploading droplet, build artifacts cache...",
			"Uploaded droplet ("+humanSize(fileSize(dropletPath))+")", "Uploading complete")
	}
	c.stopping()
	c.destroyed()
}

// buildpackExitStatus is the builder's exit code for a staging error: 222 when no buildpack
// detects the app, 223 when compiling fails, 1 otherwise.
func buildpackExitStatus(err string) int {
	switch {
	case err == "":
		return 0
	case strings.HasPrefix(err, "NoAppDetectedError"):
		return 222
	case strings.HasPrefix(err, "BuildpackCompileFailed"):
		return 223
	}
	return 1
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// humanSize writes a size the way the staging logs do: 512B, 40K, 1.2M, 3.4G.
func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
