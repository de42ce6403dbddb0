package cfsim_test

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("the cfsim program", func() {
	var bin string
	BeforeEach(func() {
		var err error
		bin, err = gexec.Build("github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cmd/cfsim")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(gexec.CleanupBuildArtifacts)
	})

	It("starts in under 3 s, serves a pushed app through lb_url, and leaves no process behind on SIGTERM", func() {
		infoFile := filepath.Join(GinkgoT().TempDir(), "info.json")
		started := time.Now()
		session, err := gexec.Start(exec.Command(bin, "--info-file", infoFile, "--routers", "3", "--route-lag", "50ms-300ms"),
			GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		defer session.Kill()
		Eventually(func() error { _, err := os.Stat(infoFile); return err }, 3*time.Second, 10*time.Millisecond).Should(Succeed())
		GinkgoWriter.Printf("cfsim wrote its info file after %v\n", time.Since(started))

		var info cfsim.Info
		data, err := os.ReadFile(infoFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(data, &info)).To(Succeed())
		Expect(info.RouterURLs).To(HaveLen(3))
		Expect(info.Org).NotTo(BeEmpty())

		f := connect(info)
		app, _ := f.push(pushOpts{name: "prog", version: "v7", instances: 2})
		f.waitRunning(app.GUID, 2)
		Eventually(func() string { return get(info.LBURL, "prog."+info.Domain, "/").body }, 5*time.Second, 20*time.Millisecond).
			Should(Equal("version=v7"))
		ports := f.instancePorts(app.GUID)

		session.Signal(syscall.SIGTERM)
		Eventually(session, 10*time.Second).Should(gexec.Exit(0))
		for _, port := range ports {
			_, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
			Expect(err).To(HaveOccurred(), "an app instance still listens on port %d", port)
		}
	})

	It("refuses a malformed --route-lag with a clear message", func() {
		session, err := gexec.Start(exec.Command(bin, "--route-lag", "2s-1s"), GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(session).Should(gexec.Exit(1))
		Expect(session.Err).To(gbytes.Say(`--route-lag "2s-1s": want MIN-MAX durations`))
	})
})

func (f *foundation) instancePorts(appGUID string) []int {
	stats, err := f.cf.Processes.GetStatsForApp(context.Background(), appGUID, "web")
	Expect(err).NotTo(HaveOccurred())
	var ports []int
	for _, s := range stats.Stats {
		ports = append(ports, s.InstancePorts[0]["external"])
	}
	return ports
}
