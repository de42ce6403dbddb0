package cfsim

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// stageResult is the outcome of staging one package.
type stageResult struct {
	processTypes map[string]string
	checksum     string
	err          string // "<error_id> - <description>" as the build presenter shows it
	log          []string
}

// stage works like the binary buildpack: the package must hold an executable, and the start
// command is the process's command or else the Procfile's web line. The droplet is the
// app folder as a tarball; dir keeps it unpacked for Diego to run.
func stage(zipPath, dir, command string) stageResult {
	res := stageResult{log: []string{"-----> Binary Buildpack (cfsim)"}}
	fail := func(id, desc, logLine string) stageResult {
		res.log = append(res.log, logLine, "Failed to compile droplet: "+desc)
		res.err = id + " - " + desc
		os.RemoveAll(dir)
		return res
	}
	if err := extractZip(zipPath, dir); err != nil {
		return fail("StagingError", "Staging error: "+err.Error(), "unable to unpack the app: "+err.Error())
	}
	if !hasExecutable(dir) {
		return fail("NoAppDetectedError", "An app was not successfully detected by any available buildpack",
			"no executable file found in the app")
	}
	types := procfile(filepath.Join(dir, "Procfile"))
	if command == "" {
		command = types["web"]
	}
	if command == "" {
		return fail("BuildpackCompileFailed", "App staging failed in the buildpack compile phase",
			"Error: no start command specified during staging or launch (set command in the manifest or a Procfile web: line)")
	}
	if _, ok := types["web"]; !ok {
		types["web"] = ""
	}
	if err := writeTgz(dir, dir+".tgz"); err != nil {
		return fail("StagingError", "Staging error: "+err.Error(), "unable to write the droplet")
	}
	sum, err := fileSHA256(dir + ".tgz")
	if err != nil {
		return fail("StagingError", "Staging error: "+err.Error(), "unable to read the droplet")
	}
	res.processTypes, res.checksum = types, sum
	return res
}

func hasExecutable(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil && info.Mode()&0o111 != 0 {
				found = true
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found
}

// procfile reads "type: command" lines.
func procfile(path string) map[string]string {
	types := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return types
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) != "" {
			types[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return types
}

// inside joins name under dir and refuses paths that would escape it.
func inside(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if p != dir && !strings.HasPrefix(p, dir+string(filepath.Separator)) {
		return "", fmt.Errorf("entry %q escapes the app folder", name)
	}
	return p, nil
}

func extractZip(src, dir string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("invalid zip: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if err := extractZipEntry(f, dir); err != nil {
			return err
		}
	}
	return os.MkdirAll(dir, 0o755)
}

func extractZipEntry(f *zip.File, dir string) error {
	p, err := inside(dir, f.Name)
	if err != nil {
		return err
	}
	if f.FileInfo().IsDir() {
		return os.MkdirAll(p, 0o755)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if f.Mode()&fs.ModeSymlink != 0 {
		target, err := io.ReadAll(io.LimitReader(rc, 4096))
		if err != nil {
			return err
		}
		return makeSymlink(dir, p, string(target))
	}
	return writeEntry(p, rc, f.Mode().Perm())
}

// makeSymlink keeps links whose target stays inside the app folder, as Diego would see them.
func makeSymlink(dir, p, target string) error {
	resolved := target
	if !filepath.IsAbs(target) {
		resolved = filepath.Join(filepath.Dir(p), target)
	}
	if resolved != dir && !strings.HasPrefix(resolved, dir+string(filepath.Separator)) {
		return fmt.Errorf("symlink %q points outside the app folder", p)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.Symlink(target, p)
}

func writeEntry(p string, r io.Reader, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if perm == 0 {
		perm = 0o644
	}
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func writeTgz(dir, dest string) error {
	out, err := os.Create(dest)
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		return addTarEntry(tw, dir, path)
	})
	return firstErr(err, tw.Close(), gz.Close(), out.Close())
}

func addTarEntry(tw *tar.Writer, dir, path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	target := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if target, err = os.Readlink(path); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(info, target)
	if err != nil {
		return err
	}
	rel, _ := filepath.Rel(dir, path)
	hdr.Name = filepath.ToSlash(rel)
	if info.IsDir() {
		hdr.Name += "/"
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

func extractTgz(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("droplet is not a gzipped tarball: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			return fmt.Errorf("droplet is not a gzipped tarball: %w", err)
		}
		if err := extractTarEntry(tr, hdr, dir); err != nil {
			return err
		}
	}
}

func extractTarEntry(tr *tar.Reader, hdr *tar.Header, dir string) error {
	p, err := inside(dir, hdr.Name)
	if err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(p, 0o755)
	case tar.TypeReg:
		return writeEntry(p, tr, fs.FileMode(hdr.Mode).Perm())
	case tar.TypeSymlink:
		return makeSymlink(dir, p, hdr.Linkname)
	}
	return nil
}
