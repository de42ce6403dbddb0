package resource

import (
	"io"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// appFiles lets the engine upload an app folder through resource matching: its files with
// their SHA-1s, and its zip without the ones the Cloud Controller holds. An archive has none.
func appFiles(src manifest.Source) *platform.AppFiles {
	if src.IsArchive {
		return nil
	}
	return &platform.AppFiles{
		List: func() ([]platform.Resource, error) {
			files, err := manifest.Files(src, platform.MinMatchSize)
			list := make([]platform.Resource, len(files))
			for i, f := range files {
				list[i] = platform.Resource{Path: f.Path, Size: f.Size, Mode: f.Mode, SHA1: f.SHA1}
			}
			return list, err
		},
		Write: func(w io.Writer, cached func(string) bool) error { return manifest.WriteZipExcept(w, src, cached) },
	}
}
