package cfsim_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
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
	zipPath, err := cfpush.BuildVersioned("../..", dir)
	Expect(err).NotTo(HaveOccurred())
	return []byte(zipPath)
}, func(path []byte) {
	appZip = string(path)
})

var _ = SynchronizedAfterSuite(func() {}, func() {
	os.RemoveAll(filepath.Dir(appZip))
})
