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
	It("draws each router's lag from [LagMin, LagMax], reproducibly", func() {
		opts := func() router.Options {
			return router.Options{Routers: 5, LagMin: 20 * time.Millisecond, LagMax: 80 * time.Millisecond,
				Rand: rand.New(rand.NewPCG(7, 11))}
		}
		lags := startFleet(opts()).Lags()
		Expect(lags).To(HaveLen(5))
		Expect(lags).To(HaveEach(BeNumerically(">=", 20*time.Millisecond)))
		Expect(lags).To(HaveEach(BeNumerically("<=", 80*time.Millisecond)))
		Expect(startFleet(opts()).Lags()).To(Equal(lags))
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

	It("never reorders a router's messages, even after its lag is shortened", func() {
		f := startFleet(router.Options{Routers: 1, LagMin: 150 * time.Millisecond})
		b := newBackend("a")
		f.Publish(registration(b))
		f.SetLag(0, 0)
		Expect(f.Lags()).To(Equal([]time.Duration{0}))
		unregister := registration(b)
		unregister.Register = false
		f.Publish(unregister)
		Eventually(f.Events).WithTimeout(time.Second).Should(HaveLen(2))
		events := f.Events()
		Expect(events[0].Message.Register).To(BeTrue())
		Expect(events[1].Message.Register).To(BeFalse())
		Expect(events[1].Applied.Sub(events[0].Sent)).To(BeNumerically(">=", 150*time.Millisecond),
			"the unregister waited for the register queued ahead of it")
		Expect(f.Table(0)).To(BeEmpty())
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
