package manifest_test

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

func TestManifest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "manifest")
}

// parse is Parse with no vars files, failing the spec on error.
func parse(yml string, vars map[string]any) *manifest.Manifest {
	GinkgoHelper()
	m, err := manifest.Parse("manifest.yml", []byte(yml), vars, nil)
	Expect(err).NotTo(HaveOccurred())
	return m
}

// parseErr is Parse expected to fail; it returns the message.
func parseErr(yml string, vars map[string]any, varsFiles ...string) string {
	GinkgoHelper()
	_, err := manifest.Parse("manifest.yml", []byte(yml), vars, varsFiles)
	Expect(err).To(HaveOccurred())
	return err.Error()
}

// only parses a one-app manifest and returns the app.
func only(yml string, vars map[string]any) *manifest.App {
	GinkgoHelper()
	app, err := parse(yml, vars).Select("")
	Expect(err).NotTo(HaveOccurred())
	return app
}

// writeFiles creates files (name -> content) under dir, making folders as needed.
func writeFiles(dir string, files map[string]string) {
	GinkgoHelper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
		Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
	}
}

// zipOf zips a directory into memory.
func zipOf(dir string) []byte {
	GinkgoHelper()
	var buf bytes.Buffer
	Expect(manifest.WriteZip(&buf, manifest.Source{Path: dir})).To(Succeed())
	return buf.Bytes()
}

func readZip(data []byte) *zip.Reader {
	GinkgoHelper()
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	Expect(err).NotTo(HaveOccurred())
	return r
}

func entryNames(data []byte) []string {
	GinkgoHelper()
	var names []string
	for _, f := range readZip(data).File {
		names = append(names, f.Name)
	}
	return names
}
