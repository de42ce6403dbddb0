package platform

import (
	"io"
	"io/fs"
)

// MinMatchSize is the smallest file the Cloud Controller's resource pool keeps: smaller files
// always travel in the upload's zip (resource matching, docs/platform/apps-and-staging.md).
const MinMatchSize = 64 * 1024

// Resource is one entry of an app folder: a regular file or a link. SHA1 is set for the
// files worth matching; the others always travel in the zip.
type Resource struct {
	Path string // slash-separated, as in the zip
	Size int64
	Mode fs.FileMode
	SHA1 string
}

// AppFiles is an app folder to upload through resource matching: List says what is in it,
// Write streams its zip without the files cached says CC already holds.
type AppFiles struct {
	List  func() ([]Resource, error)
	Write func(w io.Writer, cached func(path string) bool) error
}

// UploadStats says what resource matching saved.
type UploadStats struct {
	Files, Matched      int   // entries of the app; those CC already had
	Bytes, MatchedBytes int64 // their sizes
}
