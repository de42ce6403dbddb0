package integration_test

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

var _ = Describe("out: interrupted and concurrent deploys", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.deploy("v1", nil)
		w.waitServing("v1")
	})

	It("heals after being killed at each step in turn: one serving version, nothing left over, no failed request", func() {
		steps := []string{
			"✓\x1b[0m take the lease", "✓\x1b[0m apply manifest", "✓\x1b[0m upload bits", "✓\x1b[0m stage",
			"✓\x1b[0m start", "✓\x1b[0m verify temporary route",
			"myapp-candidate serves " + w.host(), // mid cutover: both apps on the route
			"myapp is gone from " + w.host(),     // mid cutover: the candidate alone
			"✓\x1b[0m drain",
		}
		l := w.startLoad()
		for i, step := range steps {
			version := fmt.Sprintf("v%d", i+2)
			killAt(w.startOut(w.request(version, nil)), step)
			r := w.deploy(version, nil)
			Expect(r.stderr).To(ContainSubstring("healing"), "after a kill at %q", step)
			Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}), "after a kill at %q", step)
			Expect(w.routes()).To(Equal([]string{w.host()}), "after a kill at %q", step)
		}
		l.expectNoFailures()
		Expect(w.serves(20)).To(Equal(map[string]int{fmt.Sprintf("200 v%d", len(steps)+1): 20}))
	})

	It("runs one deploy at a time: a second out waits for the first one's lease", func() {
		l := w.startLoad()
		first := w.startOut(w.request("v2", nil))
		Eventually(first.Err, 20*time.Second).Should(gbytes.Say("take the lease"))
		second := w.startOut(w.request("v3", nil))
		Eventually(first, 2*time.Minute).Should(gexec.Exit(0))
		Eventually(second, 2*time.Minute).Should(gexec.Exit(0))
		l.expectNoFailures()
		Expect(string(second.Err.Contents())).To(ContainSubstring("another deploy"))
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v3": 20}))
		Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}))
	})

	It("fails clearly when another deploy holds the lease past lease_timeout", func() {
		first := w.startOut(w.request("v2", nil))
		Eventually(first.Err, 20*time.Second).Should(gbytes.Say("take the lease"))
		r := w.out(w.request("v3", map[string]any{"lease_timeout": "1s"}))
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("another deploy"))
		Expect(firstLine(r.stderr)).To(ContainSubstring("params.lease_timeout"))
		Eventually(first, 2*time.Minute).Should(gexec.Exit(0))
	})
})

// killAt SIGKILLs out as soon as its log shows the marker.
func killAt(s *gexec.Session, marker string) {
	Eventually(func() bool { return strings.Contains(string(s.Err.Contents()), marker) }, time.Minute, 5*time.Millisecond).
		Should(BeTrue(), "out never reached %q", marker)
	s.Signal(syscall.SIGKILL)
	Eventually(s, 10*time.Second).Should(gexec.Exit())
}
