package manifest

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// WriteZip streams the upload into w: an archive is copied as is; a directory is zipped
// without being held in memory (w is typically the write end of an io.Pipe feeding the
// upload). The zip honours .cfignore and the cf CLI's default exclusions, keeps file modes,
// stores links that stay inside the folder as links and refuses others, and lists entries
// (folders included) with relative slash-separated names, each folder sorted by name.
//
// On error the output is left without its central directory, so a reader never mistakes a
// partial zip for a whole one. WriteZip does not close w.
func WriteZip(w io.Writer, src Source) error {
	if src.IsArchive {
		return copyArchive(w, src.Path)
	}
	zw := zip.NewWriter(w)
	files := 0
	err := walkApp(src.Path, func(e entry) error {
		if !e.info.IsDir() {
			files++
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
		if e.link, err = linkInside(e); err != nil {
			return err
		}
		return fn(e)
	case mode.IsRegular():
		return fn(e)
	}
	return nil
}

// linkInside returns a link's target if it stays inside the app folder. A link that leaves
// it (absolute, or climbing above the root) is refused rather than followed or stored: on the
// platform it would point at nothing, or at a file the user never meant to ship.
func linkInside(e entry) (string, error) {
	target, err := os.Readlink(e.abs)
	if err != nil {
		return "", fmt.Errorf("reading symlink: %w", err)
	}
	t := filepath.ToSlash(target)
	resolved := path.Join(path.Dir(e.rel), t)
	if path.IsAbs(t) || filepath.IsAbs(target) || resolved == ".." || strings.HasPrefix(resolved, "../") {
		return "", fmt.Errorf("symlink %s points outside the app folder (to %s): replace it with the file, or remove it or add it to .cfignore", e.abs, target)
	}
	return t, nil
}
