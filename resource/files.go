package resource

import (
	"io"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

// appFiles lets the engine upload an app folder through resource matching: its files with
// their SHA-1s, and its zip without the ones the Cloud Controller holds. An archive has none.
func appFiles(src manifest.Source) *cf.AppFiles {
	if src.IsArchive {
		return nil
	}
	return &cf.AppFiles{
		List: func() ([]cf.Resource, error) {
			files, err := manifest.Files(src, cf.MinMatchSize)
			list := make([]cf.Resource, len(files))
			for i, f := range files {
				list[i] = cf.Resource{Path: f.Path, Size: f.Size, Mode: f.Mode, SHA1: f.SHA1}
			}
			return list, err
		},
		Write: func(w io.Writer, cached func(string) bool) error { return manifest.WriteZipExcept(w, src, cached) },
	}
}
