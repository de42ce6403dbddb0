package probe_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("RunCheck", func() {
	var (
		route = probe.Route{Host: host}
		f     *router.Fleet
		app   *instance
		p     *probe.Prober
	)

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 3, ProcessInstanceHeader: true})
		g := newGroup(appB, process2, 1, "X-App-Version: v2")
		app = g.instances[0]
		register(f, host, g.endpoints()...)
		// a router applies a message after its lag, even a lag of 0: checks start once all have
		Eventually(func() bool {
			for i := range f.RouterURLs() {
				if len(f.Table(i)[host]) == 0 {
					return false
				}
			}
			return true
		}, time.Second, time.Millisecond).Should(BeTrue())
		p = newProber(f.RouterURLs()...)
	})

	fast := func(c probe.Check) probe.Check {
		c.Interval = 5 * time.Millisecond
		return c
	}

	It("passes after the consecutive successes asked for", func() {
		res, err := p.RunCheck(within(5*time.Second), route, fast(probe.Check{Path: "/health", Successes: 4}))
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Requests).To(Equal(4))
		Expect(res.Failures).To(BeZero())
		path, _ := app.lastRequest()
		Expect(path).To(Equal("/health"))
	})

	It("rides out failures below the limit", func() {
		app.failFirst.Store(2)
		res, err := p.RunCheck(within(5*time.Second), route, fast(probe.Check{}))
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(And(HaveField("Requests", 5), HaveField("Failures", 2)))
	})

	It("gives up at the failure limit, naming the check and the last failure", func() {
		app.status.Store(500)
		res, err := p.RunCheck(within(5*time.Second), route, fast(probe.Check{Path: "/health"}))
		Expect(err).To(MatchError("check GET /health on route " + host + ": failed 3 times (limit 3), last: status 500, want 200"))
		Expect(res).To(And(HaveField("Requests", 3), HaveField("Failures", 3)))
	})

	DescribeTable("checks the body and headers",
		func(c probe.Check, want string) {
			_, err := p.RunCheck(within(5*time.Second), route, fast(c))
			if want == "" {
				Expect(err).NotTo(HaveOccurred())
				return
			}
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("body text present", probe.Check{BodyContains: "hello from"}, ""),
		Entry("body text missing", probe.Check{BodyContains: "goodbye"}, `last: body does not contain "goodbye"`),
		Entry("header present", probe.Check{Header: "X-App-Version"}, ""),
		Entry("header equal", probe.Check{Header: "X-App-Version", HeaderValue: "v2"}, ""),
		Entry("header different", probe.Check{Header: "X-App-Version", HeaderValue: "v3"}, `header X-App-Version is ["v2"], want "v3"`),
		Entry("header missing", probe.Check{Header: "X-Missing"}, "last: header X-Missing missing"),
		Entry("another status expected", probe.Check{Status: 204}, "status 200, want 204"),
	)

	It("sends the extra headers, so a check can target one process", func() {
		_, err := p.RunCheck(within(5*time.Second), route, fast(probe.Check{Headers: map[string]string{
			"X-CF-Process-Instance": process2, "X-Smoke": "yes"}}))
		Expect(err).NotTo(HaveOccurred())
		_, h := app.lastRequest()
		Expect(h.Get("X-Smoke")).To(Equal("yes"))

		_, err = p.RunCheck(within(5*time.Second), route, fast(probe.Check{Headers: map[string]string{
			"X-CF-Process-Instance": process1}}))
		Expect(err).To(MatchError(ContainSubstring("status 400 from the router itself (X-Cf-Routererror: unknown_route), not the app")))
	})

	It("counts a router's error page as a failure even when its status is the one expected", func() {
		_, err := p.RunCheck(within(5*time.Second), probe.Route{Host: "other.apps.example.com"}, fast(probe.Check{Status: 404}))
		Expect(err).To(MatchError(ContainSubstring("404 from the router itself (X-Cf-Routererror: unknown_route)")))
	})

	It("checks a path route under its path", func() {
		g := newGroup(appA, "", 1)
		register(f, host+"/p", g.endpoints()...)
		_, err := p.RunCheck(within(5*time.Second), probe.Route{Host: host, Path: "/p"}, fast(probe.Check{Path: "/health?deep=1"}))
		Expect(err).NotTo(HaveOccurred())
		path, _ := g.instances[0].lastRequest()
		Expect(path).To(Equal("/p/health?deep=1"))
	})

	It("rotates over the bases", func() {
		routers := []*fakeRouter{newFakeRouter(), newFakeRouter(), newFakeRouter()}
		var bases []string
		for _, r := range routers {
			bases = append(bases, r.srv.URL)
		}
		res, err := newProber(bases...).RunCheck(within(5*time.Second), route, fast(probe.Check{Successes: 6}))
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Requests).To(Equal(6))
		for _, r := range routers {
			Expect(r.requests.Load()).To(BeEquivalentTo(2))
		}
	})

	It("stops when ctx ends, with the last failure", func() {
		app.status.Store(502)
		_, err := p.RunCheck(within(200*time.Millisecond), route, fast(probe.Check{FailureLimit: 1000}))
		Expect(err).To(MatchError(context.DeadlineExceeded))
		Expect(err).To(MatchError(ContainSubstring("0 of 3 consecutive successes when time ran out, last failure: status 502, want 200")))
	})
})
