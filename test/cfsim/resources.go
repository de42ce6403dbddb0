package cfsim

import (
	"archive/zip"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

// CC's resource pool keeps files between these sizes (cc.resource_pool minimum_size and
// maximum_size), so a client can skip uploading files CC already has.
const (
	resourceMinSize = 65536
	resourceMaxSize = 536870912
)

func (s *Sim) resourcePath(sha string) string {
	return filepath.Join(s.cfg.Dir, "resource-cache", sha)
}

// resourceMatches answers which of the listed files the pool already holds.
func (s *Sim) resourceMatches(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Resources []matchedResource `json:"resources"`
	}
	if err := decodeBody(r, &body, "resources"); err != nil {
		writeError(w, err)
		return
	}
	found := []matchedResource{}
	for _, res := range body.Resources {
		if res.Size < resourceMinSize || res.Size > resourceMaxSize || !validSHA1(res.Checksum.Value) {
			continue
		}
		if st, err := os.Stat(s.resourcePath(res.Checksum.Value)); err == nil && st.Size() == res.Size {
			found = append(found, res)
		}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"resources": found})
}

func validSHA1(v string) bool {
	b, err := hex.DecodeString(v)
	return err == nil && len(b) == sha1.Size
}

// assemblePackage writes the package zip: the uploaded entries plus the matched resources
// from the pool, then adds the package's large files to the pool.
func (s *Sim) assemblePackage(up upload, dest string) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dest)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	err = s.writePackageEntries(zw, up)
	err = firstErr(err, zw.Close(), out.Close())
	if err != nil {
		return err
	}
	return s.cacheResources(dest)
}

func (s *Sim) writePackageEntries(zw *zip.Writer, up upload) error {
	if up.bits != "" {
		zr, err := zip.OpenReader(up.bits)
		if err != nil {
			return fmt.Errorf("Invalid zip file: %w", err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if err := zw.Copy(f); err != nil {
				return fmt.Errorf("Invalid zip file: %w", err)
			}
		}
	}
	for _, res := range up.resources {
		if err := s.addResource(zw, res); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sim) addResource(zw *zip.Writer, res matchedResource) error {
	src, err := os.Open(s.resourcePath(res.Checksum.Value))
	if err != nil {
		return fmt.Errorf("resource %s (%s) is not in the resource pool", res.Path, res.Checksum.Value)
	}
	defer src.Close()
	hdr := &zip.FileHeader{Name: filepath.ToSlash(res.Path), Method: zip.Deflate}
	mode := uint64(0o644)
	if res.Mode != "" {
		if m, err := strconv.ParseUint(res.Mode, 8, 32); err == nil {
			mode = m
		}
	}
	hdr.SetMode(os.FileMode(mode))
	dst, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return err
}

// cacheResources stores every pool-sized file of a package zip under its SHA-1.
func (s *Sim) cacheResources(zipPath string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		size := int64(f.UncompressedSize64)
		if f.FileInfo().IsDir() || size < resourceMinSize || size > resourceMaxSize {
			continue
		}
		if err := s.cacheOne(f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sim) cacheOne(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Join(s.cfg.Dir), "res-*")
	if err != nil {
		return err
	}
	h := sha1.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), rc)
	err = firstErr(err, tmp.Close())
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	dest := s.resourcePath(hex.EncodeToString(h.Sum(nil)))
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
