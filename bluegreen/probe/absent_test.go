package probe_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("AwaitAbsent", func() {
	var (
		route       = probe.Route{Host: host}
		blue, green group
		oldApp      = probe.Backend{AppGUID: appA, Instances: 2}
		newApp      = probe.Backend{AppGUID: appB, Instances: 1}
	)

	BeforeEach(func() {
		blue, green = newGroup(appA, "", 2), newGroup(appB, "", 1)
	})

	It("confirms on each router no earlier than its own removal lag, and soon after the slowest", func() {
		lags := []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 450 * time.Millisecond}
		fs := startFleets(lags...)
		register(fs, host, append(blue.endpoints(), green.endpoints()...)...)
		p := newProber(fs.urls()...)
		_, err := p.AwaitPresent(within(5*time.Second), route, oldApp)
		Expect(err).NotTo(HaveOccurred())
		_, err = p.AwaitPresent(within(5*time.Second), route, newApp)
		Expect(err).NotTo(HaveOccurred())

		sent := time.Now()
		unregister(fs, host, blue.endpoints()...)
		called := time.Now()
		res, err := p.AwaitAbsent(within(5*time.Second), route, oldApp)
		took := time.Since(sent)

		Expect(err).NotTo(HaveOccurred())
		Expect(took).To(BeNumerically(">=", slowest(lags)))
		Expect(took).To(BeNumerically("<=", slowest(lags)+300*time.Millisecond))
		for i, lag := range lags {
			Expect(called.Sub(sent)+res.PerBase[i]).To(BeNumerically(">=", lag), "router %d", i)
		}
		_, err = p.AwaitPresent(within(5*time.Second), route, newApp)
		Expect(err).NotTo(HaveOccurred(), "the new app still serves the route")
	})

	It("through a load balancer, confirms only once every router behind it has dropped the backend", func() {
		f := startFleet(router.Options{Routers: 3, LagMin: 100 * time.Millisecond, LagMax: 400 * time.Millisecond})
		register(f, host, append(blue.endpoints(), green.endpoints()...)...)
		_, err := newProber(f.RouterURLs()...).AwaitPresent(within(5*time.Second), route, oldApp)
		Expect(err).NotTo(HaveOccurred())

		sent := time.Now()
		unregister(f, host, blue.endpoints()...)
		res, err := newProber(f.LBURL()).AwaitAbsent(within(5*time.Second), route, oldApp)
		took := time.Since(sent)

		Expect(err).NotTo(HaveOccurred())
		Expect(took).To(BeNumerically(">=", 100*time.Millisecond))
		Expect(took).To(BeNumerically("<=", 400*time.Millisecond+700*time.Millisecond))
		Expect(res.Probes).To(BeNumerically(">=", 2*10))
		for _, u := range f.RouterURLs() {
			for _, idx := range []string{":0", ":1"} {
				code, rerr := answer(u, "/", "X-CF-App-Instance", appA+idx)
				Expect([]any{code, rerr}).To(Equal([]any{http.StatusBadRequest, "unknown_route"}))
			}
		}
	})

	It("accepts the route gone altogether", func() {
		f := startFleet(router.Options{Routers: 2})
		register(f, host, blue.endpoints()...)
		unregister(f, host, blue.endpoints()...)
		_, err := newProber(f.RouterURLs()...).AwaitAbsent(within(5*time.Second), route, oldApp)
		Expect(err).NotTo(HaveOccurred())
	})

	It("does not take a router's failure to reach the old app for its absence", func() {
		f := startFleet(router.Options{Routers: 2})
		register(f, host, blue.endpoints()...)
		for _, in := range blue.instances {
			in.srv.Close() // stopped, but still registered: the router answers 502 endpoint_failure
		}
		_, err := newProber(f.RouterURLs()...).AwaitAbsent(within(300*time.Millisecond), route, oldApp)
		Expect(err).To(MatchError(ContainSubstring(appA + ":0: 0 of 3 consecutive, last seen 502 X-Cf-Routererror: endpoint_failure")))
	})

	It("times out while the old app still answers, saying so", func() {
		f := startFleet(router.Options{Routers: 2})
		register(f, host, blue.endpoints()...)
		unregister(f, host, blue.endpoints()[0])
		_, err := newProber(f.RouterURLs()...).AwaitAbsent(within(300*time.Millisecond), route, oldApp)
		Expect(err).To(MatchError(ContainSubstring("app " + appA + " absent on route " + host)))
		Expect(err).To(MatchError(ContainSubstring(appA + ":1: 0 of 3 consecutive, last seen 200 from the app")))
	})
})
