package probe_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("probe pacing", func() {
	It("waits the interval between misses but counts the confirmations of an answer back to back", func() {
		f := startFleet(router.Options{Routers: 3})
		green := newGroup(appB, "", 2)
		register(f, host, green.endpoints()...)
		pr := newProber(f.RouterURLs()...)
		pr.Interval = 300 * time.Millisecond

		began := time.Now()
		res, err := pr.AwaitPresent(within(5*time.Second), probe.Route{Host: host}, probe.Backend{AppGUID: appB, Instances: 2})

		Expect(err).NotTo(HaveOccurred())
		Expect(res.Probes).To(BeNumerically("<=", 3*2*3+3), "3 routers x 2 indexes x K=3, and a miss per router at most")
		Expect(time.Since(began)).To(BeNumerically("<", 300*time.Millisecond),
			"paced by the interval, the 6 confirmations per router would take 5 intervals")
	})

	It("still waits the interval while the routers do not have the backend", func() {
		f := startFleet(router.Options{Routers: 1})
		f.SetLag(0, 700*time.Millisecond)
		green := newGroup(appB, "", 1)
		register(f, host, green.endpoints()...)
		pr := newProber(f.RouterURLs()...)
		pr.Interval = 100 * time.Millisecond

		res, err := pr.AwaitPresent(within(5*time.Second), probe.Route{Host: host}, probe.Backend{AppGUID: appB, Instances: 1})

		Expect(err).NotTo(HaveOccurred())
		Expect(res.Probes).To(BeNumerically("<=", 8+10), "about one miss per interval over the lag, then K=10 (one base)")
	})
})
