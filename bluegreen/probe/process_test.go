package probe_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("ProcessGUID mode", func() {
	var (
		route         = probe.Route{Host: host}
		oldWeb        group
		newWeb        group
		oldProc, newP = probe.Backend{ProcessGUID: process1, Instances: 2}, probe.Backend{ProcessGUID: process2, Instances: 2}
	)

	BeforeEach(func() {
		// A CAPI deployment: both web processes belong to the same app and use the same indexes.
		oldWeb, newWeb = newGroup(appA, process1, 2), newGroup(appA, process2, 2)
	})

	Context("on routers that honour X-CF-Process-Instance", func() {
		var f *router.Fleet
		var p *probe.Prober

		BeforeEach(func() {
			f = startFleet(router.Options{Routers: 3, ProcessInstanceHeader: true})
			register(f, host, oldWeb.endpoints()...)
			p = newProber(f.RouterURLs()...)
		})

		It("confirms the new process's instances, not the old one answering for the same app", func() {
			_, err := p.AwaitPresent(within(300*time.Millisecond), route, newP)
			Expect(err).To(MatchError(ContainSubstring("X-CF-Process-Instance: " + process2 + ":0: 0 of 3")))

			register(f, host, newWeb.endpoints()...)
			_, err = p.AwaitPresent(within(5*time.Second), route, newP)
			Expect(err).NotTo(HaveOccurred())
		})

		It("confirms the old process gone, by process guid without an index", func() {
			register(f, host, newWeb.endpoints()...)
			unregister(f, host, oldWeb.endpoints()...)
			_, err := p.AwaitAbsent(within(5*time.Second), route, oldProc)
			Expect(err).NotTo(HaveOccurred())
			_, err = p.AwaitAbsent(within(300*time.Millisecond), route, newP)
			Expect(err).To(MatchError(ContainSubstring(process2 + " (any index): 0 of 3")))
		})
	})

	It("fails at once, not at the deadline, on routers that ignore the header", func() {
		f := startFleet(router.Options{Routers: 3})
		register(f, host, oldWeb.endpoints()...)
		start := time.Now()
		_, err := newProber(f.RouterURLs()...).AwaitPresent(within(5*time.Second), route, newP)
		Expect(err).To(MatchError(ContainSubstring("the router ignores X-CF-Process-Instance")))
		Expect(err).NotTo(MatchError(context.DeadlineExceeded))
		Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second), "well before the deadline")
	})
})
