package cf_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

func TestCF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "cf")
}

// appZip is test/apps/versioned built and zipped as a binary-buildpack app, for the specs
// that stage and start an app.
var appZip string

var _ = BeforeSuite(func() {
	dir, err := os.MkdirTemp("", "cf-suite-")
	Expect(err).NotTo(HaveOccurred())
	appZip, err = cfpush.BuildVersioned("../..", dir)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, filepath.Dir(appZip))
})
