package router_test

import (
	"math/rand/v2"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// firstSuccess polls every router directly every 10 ms and returns, per router, how long after
// start it first answered 200 for routeHost. It stops after limit.
func firstSuccess(f *router.Fleet, start time.Time, limit time.Duration) []time.Duration {
	urls := f.RouterURLs()
	found := make([]time.Duration, len(urls))
	pending := len(urls)
	for pending > 0 && time.Since(start) < limit {
		for i, url := range urls {
			if found[i] == 0 && get(url, routeHost, "/").Code == 200 {
				found[i] = time.Since(start)
				pending--
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return found
}

func registration(b *backend) router.Message {
	return router.Message{Register: true, URI: routeHost, Endpoint: b.endpoint(appGUID, processGUID, 0)}
}

var _ = Describe("registration lag", func() {
	It("draws each router's two lags from [LagMin, LagMax], reproducibly", func() {
		const lagMin, lagMax = 20 * time.Millisecond, 80 * time.Millisecond
		opts := func() router.Options {
			return router.Options{Routers: 5, LagMin: lagMin, LagMax: lagMax, Rand: rand.New(rand.NewPCG(7, 11))}
		}
		f := startFleet(opts())
		lags, removals := f.Lags(), f.RemovalLags()
		for _, l := range [][]time.Duration{lags, removals} {
			Expect(l).To(HaveLen(5))
			Expect(l).To(HaveEach(BeNumerically(">=", lagMin)))
			Expect(l).To(HaveEach(BeNumerically("<=", lagMax)))
		}
		Expect(removals).NotTo(Equal(lags), "the two lags are drawn independently")
		again := startFleet(opts())
		Expect(again.Lags()).To(Equal(lags))
		Expect(again.RemovalLags()).To(Equal(removals))

		// Router i draws its registration lag, then its removal lag, from the one Rand.
		r := rand.New(rand.NewPCG(7, 11))
		draw := func() time.Duration { return lagMin + time.Duration(r.Int64N(int64(lagMax-lagMin)+1)) }
		for i := range 5 {
			Expect(lags[i]).To(Equal(draw()), "registration lag of router %d", i)
			Expect(removals[i]).To(Equal(draw()), "removal lag of router %d", i)
		}
	})

	It("gives both lags LagMin when LagMax is not set", func() {
		f := startFleet(router.Options{Routers: 2, LagMin: 40 * time.Millisecond})
		Expect(f.Lags()).To(Equal([]time.Duration{40 * time.Millisecond, 40 * time.Millisecond}))
		Expect(f.RemovalLags()).To(Equal([]time.Duration{40 * time.Millisecond, 40 * time.Millisecond}))
	})

	It("keeps a route unknown on each router until that router's lag has passed", func() {
		f := startFleet(router.Options{Routers: 3, LagMin: 30 * time.Millisecond, LagMax: 250 * time.Millisecond,
			Rand: rand.New(rand.NewPCG(1, 2))})
		b := newBackend("a")
		start := time.Now()
		f.Publish(registration(b))
		found := firstSuccess(f, start, 2*time.Second)
		Expect(found).To(HaveEach(BeNumerically(">", 0)), "every router learned the route")
		for i, lag := range f.Lags() {
			Expect(found[i]).To(BeNumerically(">=", lag), "router %d answered before its lag", i)
			Expect(found[i]).To(BeNumerically("<=", lag+100*time.Millisecond), "router %d was late", i)
		}
	})

	It("records when each router applied each message", func() {
		f := startFleet(router.Options{Routers: 2, LagMin: 20 * time.Millisecond, LagMax: 60 * time.Millisecond})
		msg := registration(newBackend("a"))
		f.Publish(msg)
		Eventually(f.Events).WithTimeout(time.Second).Should(HaveLen(2))
		lags := f.Lags()
		for _, e := range f.Events() {
			Expect(e.Message).To(Equal(msg))
			Expect(e.Applied.Sub(e.Sent)).To(BeNumerically(">=", lags[e.Router]))
		}
		events := f.Events()
		Expect(events[0].Applied).NotTo(BeTemporally(">", events[1].Applied), "the log is in applied order")
		Expect([]int{events[0].Router, events[1].Router}).To(ConsistOf(0, 1))
	})

	It("never reorders a router's registrations, even after its lag is shortened", func() {
		f := startFleet(router.Options{Routers: 1, LagMin: 150 * time.Millisecond})
		a, b := newBackend("a"), newBackend("b")
		first := router.Message{Register: true, URI: routeHost, Endpoint: a.endpoint(appGUID, processGUID, 0)}
		second := router.Message{Register: true, URI: routeHost, Endpoint: b.endpoint(appGUID, processGUID, 1)}
		f.Publish(first)
		f.SetLag(0, 0)
		Expect(f.Lags()).To(Equal([]time.Duration{0}))
		Expect(f.RemovalLags()).To(Equal([]time.Duration{150 * time.Millisecond}), "SetLag leaves removals alone")
		f.Publish(second)
		Eventually(f.Events).WithTimeout(time.Second).Should(HaveLen(2))
		events := f.Events()
		Expect([]router.Message{events[0].Message, events[1].Message}).To(Equal([]router.Message{first, second}))
		Expect(events[1].Applied.Sub(events[0].Sent)).To(BeNumerically(">=", 150*time.Millisecond),
			"the second registration waited for the one queued ahead of it")
		Expect(f.Table(0)[routeHost]).To(Equal([]router.Endpoint{first.Endpoint, second.Endpoint}))
	})

	It("applies the new lag to messages published after SetLag", func() {
		f := startFleet(router.Options{Routers: 2})
		f.SetLag(1, 80*time.Millisecond)
		start := time.Now()
		f.Publish(registration(newBackend("a")))
		found := firstSuccess(f, start, time.Second)
		Expect(found).To(HaveEach(BeNumerically(">", 0)), "every router learned the route")
		Expect(found[0]).To(BeNumerically("<", 80*time.Millisecond))
		Expect(found[1]).To(BeNumerically(">=", 80*time.Millisecond))
	})
})
