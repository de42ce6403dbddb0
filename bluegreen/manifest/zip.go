package manifest

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// WriteZip streams the upload into w: an archive is copied as is; a directory is zipped
// without being held in memory (w is typically the write end of an io.Pipe feeding the
// upload). The zip honours .cfignore and the cf CLI's default exclusions, keeps file modes,
// stores every symlink as a link (never following it), and lists entries (folders
// included) with relative slash-separated names, each folder sorted by name.
//
// On error the output is left without its central directory, so a reader never mistakes a
// partial zip for a whole one. WriteZip does not close w.
func WriteZip(w io.Writer, src Source) error {
	return writeZip(w, src, nil)
}

// writeZip is WriteZip leaving out the regular files skip names (nil: none). The "no app
// files" check counts them: they are part of the app, only already on the platform.
func writeZip(w io.Writer, src Source, skip func(path string) bool) error {
	if src.IsArchive {
		return copyArchive(w, src.Path)
	}
	zw := zip.NewWriter(w)
	files := 0
	err := walkApp(src.Path, func(e entry) error {
		if !e.info.IsDir() {
			files++
		}
		if skip != nil && e.info.Mode().IsRegular() && skip(e.rel) {
			return nil
		}
		return addEntry(zw, e)
	})
	if err != nil {
		return err
	}
	if files == 0 {
		return fmt.Errorf("no app files found in %s (after .cfignore and the default exclusions)", src.Path)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zipping %s: %w", src.Path, err)
	}
	return nil
}

func copyArchive(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("app archive: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("sending app archive %s: %w", path, err)
	}
	return nil
}

func addEntry(zw *zip.Writer, e entry) error {
	h := &zip.FileHeader{Name: e.rel, Method: zip.Deflate, Modified: e.info.ModTime()}
	h.SetMode(e.info.Mode())
	switch {
	case e.info.IsDir():
		h.Name, h.Method = e.rel+"/", zip.Store
	case e.link != "":
		h.Method = zip.Store
	}
	out, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("zipping %s: %w", e.abs, err)
	}
	switch {
	case e.link != "":
		_, err = io.WriteString(out, e.link)
	case e.info.Mode().IsRegular():
		err = copyFile(out, e.abs)
	}
	if err != nil {
		return fmt.Errorf("zipping %s: %w", e.abs, err)
	}
	return nil
}

func copyFile(w io.Writer, abs string) error {
	f, err := os.Open(abs)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// entry is one path that goes into the zip.
type entry struct {
	rel  string      // slash-separated, from the app root
	abs  string      // for opening and for errors
	info fs.FileInfo // from Lstat: a link is a link
	link string      // a symlink's target, slash-separated; empty otherwise
}

// walkApp calls fn for every folder, file and link of the app in a fixed order (depth first,
// each folder's entries by name), skipping what .cfignore or the defaults exclude. Sockets,
// devices and pipes are skipped: they cannot be uploaded and reading a pipe could block.
func walkApp(dir string, fn func(entry) error) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("app path: %w", err)
	}
	ig, err := loadIgnorer(root)
	if err != nil {
		return err
	}
	return walkDir(root, "", ig, fn)
}

func walkDir(root, rel string, ig *ignorer, fn func(entry) error) error {
	dir := filepath.Join(root, filepath.FromSlash(rel))
	list, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return fmt.Errorf("reading app folder: %w", err)
	}
	for _, d := range list {
		e := entry{rel: path.Join(rel, d.Name()), abs: filepath.Join(dir, d.Name())}
		if ig.ignored(e.rel, d.IsDir()) {
			continue
		}
		if err := visit(root, e, d, ig, fn); err != nil {
			return err
		}
	}
	return nil
}

func visit(root string, e entry, d fs.DirEntry, ig *ignorer, fn func(entry) error) error {
	var err error
	if e.info, err = d.Info(); err != nil {
		return fmt.Errorf("reading app folder: %w", err)
	}
	switch mode := e.info.Mode(); {
	case mode.IsDir():
		if err := fn(e); err != nil {
			return err
		}
		return walkDir(root, e.rel, ig, fn)
	case mode&fs.ModeSymlink != 0:
		if e.link, err = readLink(e); err != nil {
			return err
		}
		return fn(e)
	case mode.IsRegular():
		return fn(e)
	}
	return nil
}

// readLink returns a link's target as written. Links are handled as the cf CLI (v7 and
// later) handles them: the entry is the link itself, its target stored verbatim, whether it
// points inside the app folder, outside it or nowhere; a linked folder is not descended.
// Nothing a link points at is read, so nothing outside the app folder is uploaded, and the
// Cloud Controller keeps the link in the package (it zips with --symlinks). A link to an
// absolute path resolves in the app's container, e.g. to a file of the stack.
func readLink(e entry) (string, error) {
	target, err := os.Readlink(e.abs)
	if err != nil {
		return "", fmt.Errorf("reading symlink: %w", err)
	}
	return filepath.ToSlash(target), nil
}
