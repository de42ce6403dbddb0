// Package integration runs the resource's built binaries, JSON on stdin, against the simulated
// foundation, with load running through the load balancer during every deploy.
package integration_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	Out, Check, In, Versioned string
}

var bins binaries

// The suite runs either the binaries it builds itself or, inside the image, the shipped ones:
// RESOURCE_DIR names the folder holding check, in, out and responder (/opt/resource) and
// VERSIONED_APP the prebuilt test app.
var _ = SynchronizedBeforeSuite(func() []byte {
	if dir := os.Getenv("RESOURCE_DIR"); dir != "" {
		app := os.Getenv("VERSIONED_APP")
		Expect(app).NotTo(BeEmpty(), "VERSIONED_APP must name the test app when RESOURCE_DIR is set")
		return []byte(strings.Join([]string{filepath.Join(dir, "out"), filepath.Join(dir, "check"),
			filepath.Join(dir, "in"), app}, "\n"))
	}
	var paths []string
	for _, pkg := range []string{"cmd/out", "cmd/check", "cmd/in", "test/apps/versioned"} {
		p, err := gexec.Build("github.com/cf-bluegreen-resource/cf-bluegreen-resource/" + pkg)
		Expect(err).NotTo(HaveOccurred())
		paths = append(paths, p)
	}
	// The maintenance responder ships beside out, as in /opt/resource.
	build := exec.Command("go", "build", "-o", filepath.Join(filepath.Dir(paths[0]), "responder"),
		"github.com/cf-bluegreen-resource/cf-bluegreen-resource/cmd/responder")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	return []byte(strings.Join(paths, "\n"))
}, func(data []byte) {
	parts := strings.Split(string(data), "\n")
	bins = binaries{Out: parts[0], Check: parts[1], In: parts[2], Versioned: parts[3]}
})

var _ = SynchronizedAfterSuite(func() {}, func() { gexec.CleanupBuildArtifacts() })

// copyFile copies an executable into an app folder.
func copyFile(src, dst string, mode os.FileMode) {
	data, err := os.ReadFile(src)
	Expect(err).NotTo(HaveOccurred())
	Expect(os.MkdirAll(filepath.Dir(dst), 0o755)).To(Succeed())
	Expect(os.WriteFile(dst, data, mode)).To(Succeed())
}
