package manifest

import (
	"fmt"
	"path"
	"strings"
)

// checkLinks refuses, before anything is created on the platform, an app folder the Cloud
// Controller would refuse after the upload. The cf CLI zips every symlink as it is (see
// readLink); the Cloud Controller then unzips the package and rejects it with
// "AppBitsUploadInvalid: Symlink(s) point outside of root folder" when a link's target,
// expanded from the package root (not from the link's own folder: CC's SafeZipper and
// FilePathChecker.safe_path?), leaves the root. The same rule here gives the same verdict,
// only sooner and naming the link.
func checkLinks(dir string) error {
	return walkApp(dir, func(e entry) error {
		if e.link != "" && ccRefusesLink(e.link) {
			return fmt.Errorf("symlink %s points outside the app folder (to %s); the Cloud Controller refuses such a package "+
				"(it reads link targets from the app's root): replace it with the file, or remove it or add it to .cfignore", e.rel, e.link)
		}
		return nil
	})
}

// ccRefusesLink is the Cloud Controller's verdict on a link target: absolute, or climbing
// above the package root when read from the root.
func ccRefusesLink(target string) bool {
	if path.IsAbs(target) {
		return true
	}
	clean := path.Clean(target)
	return clean == ".." || strings.HasPrefix(clean, "../")
}
