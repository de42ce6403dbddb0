package probe_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("Marker mode", func() {
	var (
		route  = probe.Route{Host: host}
		f      *router.Fleet
		v1, v2 group
		p      *probe.Prober
	)
	marked := func(version string) probe.Backend {
		return probe.Backend{Marker: &probe.Marker{Header: "X-App-Version", Value: version}}
	}

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 3})
		v1 = newGroup(appA, "", 1, "X-App-Version: v1")
		v2 = newGroup(appB, "", 1, "X-App-Version: v2")
		register(f, host, v1.endpoints()...)
		p = newProber(f.RouterURLs()...)
	})

	It("confirms the new version only once users get nothing else", func() {
		register(f, host, v2.endpoints()...)
		_, err := p.AwaitPresent(within(300*time.Millisecond), route, marked("v2"))
		Expect(err).To(MatchError(ContainSubstring("marker header X-App-Version: v2")))
		Expect(err).To(MatchError(ContainSubstring("without the marker")))

		unregister(f, host, v1.endpoints()...)
		_, err = p.AwaitPresent(within(5*time.Second), route, marked("v2"))
		Expect(err).NotTo(HaveOccurred())
		_, err = p.AwaitAbsent(within(5*time.Second), route, marked("v1"))
		Expect(err).NotTo(HaveOccurred())
	})

	It("does not count the old version as gone while it still answers", func() {
		register(f, host, v2.endpoints()...)
		_, err := p.AwaitAbsent(within(300*time.Millisecond), route, marked("v1"))
		Expect(err).To(MatchError(ContainSubstring("with the marker")))
	})

	It("matches body text", func() {
		_, err := p.AwaitPresent(within(5*time.Second), route,
			probe.Backend{Marker: &probe.Marker{BodyContains: "hello from " + v1.instances[0].name}})
		Expect(err).NotTo(HaveOccurred())
		_, err = p.AwaitAbsent(within(5*time.Second), route,
			probe.Backend{Marker: &probe.Marker{BodyContains: "hello from " + v2.instances[0].name}})
		Expect(err).NotTo(HaveOccurred())
	})
})
