package probe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("AwaitPresent", func() {
	var route = probe.Route{Host: host}

	Context("given each router's URL", func() {
		It("confirms on each router no earlier than its own lag, and soon after the slowest", func() {
			f := startFleet(router.Options{Routers: 3})
			for i, lag := range []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 450 * time.Millisecond} {
				f.SetLag(i, lag)
			}
			lags := f.Lags()
			green := newGroup(appB, "", 2)

			sent := time.Now()
			register(f, host, green.endpoints()...)
			called := time.Now()
			res, err := newProber(f.RouterURLs()...).AwaitPresent(within(5*time.Second), route,
				probe.Backend{AppGUID: appB, Instances: 2})
			took := time.Since(sent)

			Expect(err).NotTo(HaveOccurred())
			Expect(took).To(BeNumerically(">=", slowest(lags)))
			Expect(took).To(BeNumerically("<=", slowest(lags)+300*time.Millisecond))
			Expect(res.PerBase).To(HaveLen(3))
			for i, lag := range lags {
				Expect(called.Sub(sent)+res.PerBase[i]).To(BeNumerically(">=", lag), "router %d", i)
			}
			Expect(res.Probes).To(BeNumerically(">=", 3*2*3), "3 routers x 2 indexes x K=3")
		})
	})

	Context("through a load balancer", func() {
		It("needs 10 in a row by default, so every router behind it has the backend", func() {
			f := startFleet(router.Options{Routers: 3, LagMin: 100 * time.Millisecond, LagMax: 500 * time.Millisecond})
			lags := f.Lags()
			green := newGroup(appB, "", 2)

			sent := time.Now()
			register(f, host, green.endpoints()...)
			res, err := newProber(f.LBURL()).AwaitPresent(within(5*time.Second), route,
				probe.Backend{AppGUID: appB, Instances: 2})
			took := time.Since(sent)

			Expect(err).NotTo(HaveOccurred())
			Expect(took).To(BeNumerically(">=", slowest(lags)))
			Expect(took).To(BeNumerically("<=", slowest(lags)+700*time.Millisecond))
			Expect(res.Probes).To(BeNumerically(">=", 2*10))
			for _, u := range f.RouterURLs() {
				for _, idx := range []string{":0", ":1"} {
					code, _ := answer(u, "/", "X-CF-App-Instance", appB+idx)
					Expect(code).To(Equal(http.StatusOK))
				}
			}
		})

		It("does not confirm while one router behind it lags", func() {
			f := startFleet(router.Options{Routers: 3})
			f.SetLag(1, 5*time.Second)
			register(f, host, newGroup(appB, "", 1).endpoints()...)

			_, err := newProber(f.LBURL()).AwaitPresent(within(600*time.Millisecond), route,
				probe.Backend{AppGUID: appB, Instances: 1})
			Expect(err).To(MatchError(ContainSubstring(appB + ":0: ")))
			Expect(err).To(MatchError(ContainSubstring("of 10 consecutive")))
			Expect(err).To(MatchError(ContainSubstring("400 X-Cf-Routererror: unknown_route")))
			Expect(err).To(MatchError(context.DeadlineExceeded))
		})

		It("opens a new connection per probe, so an L4 balancer cannot pin every probe to one router", func() {
			one, two := newFakeRouter(), newFakeRouter()
			_, err := newProber(one.srv.URL).AwaitPresent(within(5*time.Second), route, probe.Backend{AppGUID: appB, Instances: 1})
			Expect(err).NotTo(HaveOccurred())
			Expect(one.conns.Load()).To(BeNumerically(">=", 10))

			one.conns.Store(0)
			_, err = newProber(one.srv.URL, two.srv.URL).AwaitPresent(within(5*time.Second), route,
				probe.Backend{AppGUID: appB, Instances: 1})
			Expect(err).NotTo(HaveOccurred())
			Expect(one.conns.Load()).To(BeNumerically("<=", 1), "routers probed directly reuse their connection")
		})
	})

	Context("with two apps on the route", func() {
		var f *router.Fleet
		var blue, green group

		BeforeEach(func() {
			f = startFleet(router.Options{Routers: 3})
			blue, green = newGroup(appA, "", 2), newGroup(appB, "", 2)
			register(f, host, blue.endpoints()...)
		})

		It("confirms only the new app's instances, index by index", func() {
			register(f, host, green.endpoints()[0])
			_, err := newProber(f.RouterURLs()...).AwaitPresent(within(400*time.Millisecond), route,
				probe.Backend{AppGUID: appB, Instances: 2})
			Expect(err).To(MatchError(ContainSubstring("X-CF-App-Instance: " + appB + ":1: 0 of 3 consecutive")))
			Expect(err.Error()).NotTo(ContainSubstring(appB + ":0"))

			register(f, host, green.endpoints()[1])
			_, err = newProber(f.RouterURLs()...).AwaitPresent(within(5*time.Second), route,
				probe.Backend{AppGUID: appB, Instances: 2})
			Expect(err).NotTo(HaveOccurred())
			Expect(green.instances[1].hits()).To(BeNumerically(">=", 3*3))
		})

		It("times out for a backend never registered, naming the route, every base and what it saw", func() {
			bases := f.RouterURLs()
			res, err := newProber(bases...).AwaitPresent(within(300*time.Millisecond), route,
				probe.Backend{AppGUID: appC, Instances: 1})
			Expect(err).To(MatchError(context.DeadlineExceeded))
			msg := err.Error()
			Expect(msg).To(ContainSubstring("app " + appC + " present on route " + host))
			for _, b := range bases {
				Expect(msg).To(ContainSubstring("base " + b + ": not confirmed"))
			}
			Expect(strings.Count(msg, "last seen 400 X-Cf-Routererror: unknown_route")).To(Equal(3))
			Expect(res.Probes).To(BeNumerically(">", 3))
			Expect(res.PerBase).To(Equal([]time.Duration{0, 0, 0}))
		})

		It("reports a base that does not answer at all", func() {
			bases := []string{f.RouterURLs()[0], deadURL()}
			_, err := newProber(bases...).AwaitPresent(within(300*time.Millisecond), route,
				probe.Backend{AppGUID: appA, Instances: 2})
			Expect(err).To(MatchError(ContainSubstring("base " + bases[1] + ": not confirmed")))
			Expect(err).To(MatchError(ContainSubstring("no answer")))
			Expect(err.Error()).NotTo(ContainSubstring("base " + bases[0]))
		})

		It("accepts an upper-case guid, which gorouter would refuse, by lower-casing it", func() {
			_, err := newProber(f.RouterURLs()...).AwaitPresent(within(5*time.Second), route,
				probe.Backend{AppGUID: strings.ToUpper(appA), Instances: 2})
			Expect(err).NotTo(HaveOccurred())
		})
	})

	It("does not take an answer that no gorouter proxied, such as a load balancer's own page", func() {
		lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
		DeferCleanup(lb.Close)
		_, err := newProber(lb.URL).AwaitPresent(within(300*time.Millisecond), route, probe.Backend{AppGUID: appB, Instances: 1})
		Expect(err).To(MatchError(ContainSubstring("last seen 200 not proxied by a gorouter")))
	})

	It("probes a path route at its path, with the route's host", func() {
		f := startFleet(router.Options{Routers: 2})
		green := newGroup(appB, "", 1)
		register(f, host+"/p", green.endpoints()...)

		_, err := newProber(f.RouterURLs()...).AwaitPresent(within(5*time.Second), probe.Route{Host: host, Path: "/p"},
			probe.Backend{AppGUID: appB, Instances: 1})
		Expect(err).NotTo(HaveOccurred())
		path, _ := green.instances[0].lastRequest()
		Expect(path).To(Equal("/p"))
	})

	Context("when the app answers 5xx", func() {
		var f *router.Fleet

		BeforeEach(func() {
			f = startFleet(router.Options{Routers: 2})
			green := newGroup(appB, "", 1)
			green.instances[0].status.Store(http.StatusServiceUnavailable)
			register(f, host, green.endpoints()...)
		})

		It("counts it as present: the router sends users to it", func() {
			_, err := newProber(f.RouterURLs()...).AwaitPresent(within(5*time.Second), route,
				probe.Backend{AppGUID: appB, Instances: 1})
			Expect(err).NotTo(HaveOccurred())
		})

		It("does not with RequireHealthy", func() {
			_, err := newProber(f.RouterURLs()...).AwaitPresent(within(300*time.Millisecond), route,
				probe.Backend{AppGUID: appB, Instances: 1, RequireHealthy: true})
			Expect(err).To(MatchError(ContainSubstring("last seen 503 from the app")))
		})
	})
})
