package cfsim_test

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCFSim(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "cfsim")
}

// appZip is test/apps/versioned built and zipped as a binary-buildpack app: the executable
// and a Procfile.
var appZip string

var _ = SynchronizedBeforeSuite(func() []byte {
	dir, err := os.MkdirTemp("", "cfsim-suite-")
	Expect(err).NotTo(HaveOccurred())
	bin := filepath.Join(dir, "versioned")
	build := exec.Command("go", "build", "-o", bin, "../apps/versioned")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	zipPath := filepath.Join(dir, "app.zip")
	Expect(writeAppZip(zipPath, bin, "web: ./versioned\n")).To(Succeed())
	return []byte(zipPath)
}, func(path []byte) {
	appZip = string(path)
})

var _ = SynchronizedAfterSuite(func() {}, func() {
	os.RemoveAll(filepath.Dir(appZip))
})

// writeAppZip zips an executable and, when procfile is not empty, a Procfile.
func writeAppZip(dest, bin, procfile string) error {
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	if err := addFile(zw, "versioned", bin, 0o755); err != nil {
		return err
	}
	if procfile != "" {
		w, err := zw.Create("Procfile")
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(procfile)); err != nil {
			return err
		}
	}
	return zw.Close()
}

func addFile(zw *zip.Writer, name, src string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate}
	hdr.SetMode(mode)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}
