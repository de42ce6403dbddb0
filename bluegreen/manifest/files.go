package manifest

import (
	"crypto/sha1" //nolint:gosec // the Cloud Controller's resource pool is keyed by SHA-1
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// File is one entry of an app folder as the Cloud Controller's resource matching sees it: its
// path in the zip, size, mode and, for a file big enough to be worth asking about, its SHA-1.
type File struct {
	Path string // slash-separated, from the app root, as in the zip
	Size int64
	Mode fs.FileMode
	SHA1 string // hex; "" for links and for files smaller than the minSize asked for
}

// Files lists what WriteZip puts in the zip of a folder, folders aside: every regular file and
// link, in zip order, with the SHA-1 of each regular file of at least minSize bytes (hashing
// small files would cost more than sending them). An archive lists nothing: it is sent as is.
// Files are read one at a time through a small buffer, so memory does not grow with the app.
func Files(src Source, minSize int64) ([]File, error) {
	if src.IsArchive {
		return nil, nil
	}
	var files []File
	err := walkApp(src.Path, func(e entry) error {
		if e.info.IsDir() {
			return nil
		}
		f := File{Path: e.rel, Size: e.info.Size(), Mode: e.info.Mode()}
		if e.info.Mode().IsRegular() && f.Size >= minSize {
			sum, err := fileSHA1(e.abs)
			if err != nil {
				return fmt.Errorf("hashing %s: %w", e.abs, err)
			}
			f.SHA1 = sum
		}
		files = append(files, f)
		return nil
	})
	return files, err
}

func fileSHA1(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha1.New() //nolint:gosec // see the import
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteZipExcept is WriteZip leaving out the regular files skip names: the ones the platform
// already holds, which the upload lists by checksum instead (resource matching). Folders and
// every other entry stay, so the zip and the listed files together make the whole app.
func WriteZipExcept(w io.Writer, src Source, skip func(path string) bool) error {
	return writeZip(w, src, skip)
}
