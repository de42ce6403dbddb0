package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestImagecheck(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "imagecheck")
}

// entry is one file of a layer.
type entry struct {
	name string
	typ  byte
	mode int64
	link string
	data []byte
}

// writeArchive writes an OCI archive of one uncompressed layer holding entries.
func writeArchive(env []string, entries ...entry) string {
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	for _, e := range entries {
		Expect(tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link,
			Size: int64(len(e.data))})).To(Succeed())
		_, err := tw.Write(e.data)
		Expect(err).NotTo(HaveOccurred())
	}
	Expect(tw.Close()).To(Succeed())

	blobs := map[string][]byte{}
	add := func(data []byte) string {
		sum := sha256.Sum256(data)
		blobs["blobs/sha256/"+hex.EncodeToString(sum[:])] = data
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	config, _ := json.Marshal(map[string]any{"config": map[string]any{"Env": env}})
	manifest, _ := json.Marshal(map[string]any{
		"config": map[string]any{"digest": add(config)},
		"layers": []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": add(layer.Bytes())}},
	})
	blobs["index.json"], _ = json.Marshal(map[string]any{"manifests": []any{map[string]any{"digest": add(manifest)}}})

	name := filepath.Join(GinkgoT().TempDir(), "image.tar")
	f, err := os.Create(name)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	aw := tar.NewWriter(f)
	for path, data := range blobs {
		Expect(aw.WriteHeader(&tar.Header{Name: path, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))})).To(Succeed())
		_, err := aw.Write(data)
		Expect(err).NotTo(HaveOccurred())
	}
	Expect(aw.Close()).To(Succeed())
	return name
}

// staticBinary builds a tiny program without cgo: a static executable.
func staticBinary() []byte {
	dir := GinkgoT().TempDir()
	Expect(os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\nfunc main() {}\n"), 0o644)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module tiny\n"), 0o644)).To(Succeed())
	build := exec.Command("go", "build", "-o", "tiny", ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	data, err := os.ReadFile(filepath.Join(dir, "tiny"))
	Expect(err).NotTo(HaveOccurred())
	return data
}
