// Package integration runs the resource's built binaries, JSON on stdin, against the simulated
// foundation, with load running through the load balancer during every deploy.
package integration_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

func TestIntegration(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "integration")
}

// binaries are built once per suite run.
type binaries struct {
	Out       string `json:"out"`
	Versioned string `json:"versioned"`
}

var bins binaries

var _ = SynchronizedBeforeSuite(func() []byte {
	out, err := gexec.Build("github.com/cf-bluegreen-resource/cf-bluegreen-resource/cmd/out")
	Expect(err).NotTo(HaveOccurred())
	app, err := gexec.Build("github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/apps/versioned")
	Expect(err).NotTo(HaveOccurred())
	return []byte(out + "\n" + app)
}, func(data []byte) {
	parts := splitLines(string(data))
	bins = binaries{Out: parts[0], Versioned: parts[1]}
})

var _ = SynchronizedAfterSuite(func() {}, func() { gexec.CleanupBuildArtifacts() })

func splitLines(s string) []string {
	var out []string
	start := 0
	for i, c := range s {
		if c == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// copyFile copies an executable into an app folder.
func copyFile(src, dst string, mode os.FileMode) {
	data, err := os.ReadFile(src)
	Expect(err).NotTo(HaveOccurred())
	Expect(os.MkdirAll(filepath.Dir(dst), 0o755)).To(Succeed())
	Expect(os.WriteFile(dst, data, mode)).To(Succeed())
}
