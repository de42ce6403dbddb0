package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// image is an image's flattened file system and config, read from an OCI archive.
type image struct {
	files  map[string]*file // by path without the leading slash
	env    []string
	size   int64 // uncompressed bytes of every layer
	layers int
}

type file struct {
	typ  byte // tar type flag
	mode int64
	link string
	data []byte
}

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
}

// readArchive reads the first image of an OCI archive (an OCI layout in a tar).
func readArchive(name string) (*image, error) {
	blobs, err := readTar(name)
	if err != nil {
		return nil, err
	}
	var index struct{ Manifests []descriptor }
	if err := json.Unmarshal(blobs["index.json"], &index); err != nil || len(index.Manifests) == 0 {
		return nil, fmt.Errorf("%s: no index.json with a manifest: %v", name, err)
	}
	var manifest struct {
		Config descriptor
		Layers []descriptor
	}
	if err := json.Unmarshal(blob(blobs, index.Manifests[0]), &manifest); err != nil {
		return nil, fmt.Errorf("%s: manifest: %w", name, err)
	}
	var config struct{ Config struct{ Env []string } }
	if err := json.Unmarshal(blob(blobs, manifest.Config), &config); err != nil {
		return nil, fmt.Errorf("%s: config: %w", name, err)
	}
	img := &image{files: map[string]*file{}, env: config.Config.Env, layers: len(manifest.Layers)}
	for _, l := range manifest.Layers {
		if err := img.apply(blob(blobs, l), strings.HasSuffix(l.MediaType, "gzip")); err != nil {
			return nil, fmt.Errorf("%s: layer %s: %w", name, l.Digest, err)
		}
	}
	return img, nil
}

func blob(blobs map[string][]byte, d descriptor) []byte {
	return blobs["blobs/"+strings.Replace(d.Digest, ":", "/", 1)]
}

// readTar reads every regular file of a tar into memory: the archive holds a small image.
func readTar(name string) (map[string][]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if h.Typeflag == tar.TypeReg {
			if out[path.Clean(h.Name)], err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", name, h.Name, err)
			}
		}
	}
}

// apply unpacks a layer over the files so far, whiteouts included.
func (img *image) apply(layer []byte, gzipped bool) error {
	var r io.Reader = bytes.NewReader(layer)
	if gzipped {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return err
		}
		r = zr
	}
	counted := &counter{r: r}
	tr := tar.NewReader(counted)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if base := path.Base(name); strings.HasPrefix(base, ".wh.") {
			delete(img.files, path.Join(path.Dir(name), strings.TrimPrefix(base, ".wh.")))
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		img.files[name] = &file{typ: h.Typeflag, mode: h.Mode, link: h.Linkname, data: data}
	}
	_, err := io.Copy(io.Discard, counted) // the tar's end padding counts too
	img.size += counted.n
	return err
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
