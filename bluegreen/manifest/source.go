package manifest

import (
	"archive/zip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Source says what to upload: a directory to zip or an archive to send as is.
type Source struct {
	Path      string
	IsArchive bool
}

// SourcePath is the app path the cf CLI would use: override (the put's params.path, already
// resolved by the caller) if set, else the manifest's path, else the manifest's folder.
func (a *App) SourcePath(override string) string {
	switch {
	case override != "":
		return override
	case a == nil:
		return ""
	case a.Path != "":
		return a.Path
	}
	return a.dir
}

// ResolveSource says how to upload path: a directory is zipped (after checking its symlinks
// as the Cloud Controller will, see checkLinks); a .zip, .jar or .war file is
// sent as is, after checking it is a readable zip so a broken artifact fails before anything
// is created on the platform; anything else is an error naming the path.
func ResolveSource(path string) (Source, error) {
	if path == "" {
		return Source{}, errors.New("app path is empty")
	}
	info, err := os.Stat(path)
	if err != nil {
		return Source{}, fmt.Errorf("app path: %w", err)
	}
	if info.IsDir() {
		if err := checkLinks(path); err != nil {
			return Source{}, err
		}
		return Source{Path: path}, nil
	}
	if !info.Mode().IsRegular() || !isArchiveName(path) {
		return Source{}, fmt.Errorf("app path %s is neither a directory nor a .zip, .jar or .war file", path)
	}
	r, err := zip.OpenReader(path)
	if err != nil {
		return Source{}, fmt.Errorf("app path %s is not a readable zip archive: %w", path, err)
	}
	if err := r.Close(); err != nil {
		return Source{}, fmt.Errorf("app path %s: %w", path, err)
	}
	return Source{Path: path, IsArchive: true}, nil
}

func isArchiveName(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".zip", ".jar", ".war":
		return true
	}
	return false
}

// Size reports the bytes the upload will read, for logs and metrics: an archive's size, or
// for a directory the sum of the files (and link targets) that go into the zip, before
// compression.
func Size(src Source) (int64, error) {
	if src.IsArchive {
		info, err := os.Stat(src.Path)
		if err != nil {
			return 0, fmt.Errorf("app archive: %w", err)
		}
		return info.Size(), nil
	}
	var total int64
	err := walkApp(src.Path, func(e entry) error {
		if e.info.Mode().IsRegular() {
			total += e.info.Size()
		}
		total += int64(len(e.link))
		return nil
	})
	return total, err
}
