package router_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

func removal(e router.Endpoint) router.Message {
	return router.Message{URI: routeHost, Endpoint: router.Endpoint{Address: e.Address}}
}

// cutover is what one router answered for routeHost during a blue-green cutover, as offsets from
// the moment both messages were published.
type cutover struct {
	lastBlue, first404, last404, firstGreen time.Duration

	unlabelled404 int      // 404s without X-Cf-Routererror: unknown_route
	other         []string // answers that were neither blue, green nor 404
}

// watchCutover probes url directly every 10 ms until green answers or limit has passed.
func watchCutover(url string, start time.Time, limit time.Duration) cutover {
	var c cutover
	for c.firstGreen == 0 && time.Since(start) < limit {
		r := get(url, routeHost, "/")
		at := time.Since(start)
		switch {
		case r.Code == 200 && r.Body == "blue":
			c.lastBlue = at
		case r.Code == 200 && r.Body == "green":
			c.firstGreen = at
		case r.Code == 404:
			if c.first404 == 0 {
				c.first404 = at
			}
			c.last404 = at
			if r.Header.Get("X-Cf-Routererror") != "unknown_route" {
				c.unlabelled404++
			}
		default:
			c.other = append(c.other, r.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return c
}

// startCutover registers blue with no lag, sets the router's two lags, then publishes what a naive
// blue-green cutover does: map the route to green, then at once unmap blue.
func startCutover(registrationLag, removalLag time.Duration) (*router.Fleet, []router.Message, time.Time) {
	f := startFleet(router.Options{Routers: 1})
	blue, green := newBackend("blue"), newBackend("green")
	register(f, routeHost, blue.endpoint(appGUID, processGUID, 0))
	f.SetLag(0, registrationLag)
	f.SetRemovalLag(0, removalLag)
	msgs := []router.Message{
		{Register: true, URI: routeHost, Endpoint: green.endpoint(otherAppGUID, otherProcess, 0)},
		removal(blue.endpoint(appGUID, processGUID, 0)),
	}
	start := time.Now()
	for _, m := range msgs {
		f.Publish(m)
	}
	return f, msgs, start
}

// appliedAfter returns the messages applied after the first skip events, in applied order.
func appliedAfter(f *router.Fleet, skip int) []router.Message {
	var out []router.Message
	for _, e := range f.Events()[skip:] {
		out = append(out, e.Message)
	}
	return out
}

var _ = Describe("removal lag", func() {
	It("lets a removal overtake an earlier registration, so the route answers 404 in between", func() {
		const regLag, remLag = 300 * time.Millisecond, 50 * time.Millisecond
		f, msgs, start := startCutover(regLag, remLag)
		c := watchCutover(f.RouterURLs()[0], start, 2*time.Second)
		GinkgoWriter.Printf("cutover: last blue %v, 404 from %v to %v, first green %v\n",
			c.lastBlue, c.first404, c.last404, c.firstGreen)

		Expect(c.other).To(BeEmpty())
		Expect(c.unlabelled404).To(BeZero(), "every 404 is the router's unknown_route page")
		Expect(c.first404).To(BeNumerically(">=", remLag), "blue is served until its removal lag has passed")
		Expect(c.first404).To(BeNumerically("<", remLag+100*time.Millisecond))
		Expect(c.firstGreen).To(BeNumerically(">=", regLag), "green waits for the registration lag")
		Expect(c.firstGreen).To(BeNumerically("<", regLag+100*time.Millisecond))
		Expect(c.lastBlue).To(BeNumerically("<", c.first404))
		Expect(c.last404).To(BeNumerically("<", c.firstGreen))
		Expect(c.last404-c.first404).To(BeNumerically(">=", regLag-remLag-100*time.Millisecond),
			"the route stays unknown for most of the difference between the two lags")
		Expect(appliedAfter(f, 1)).To(Equal([]router.Message{msgs[1], msgs[0]}), "the removal was applied first")
	})

	It("never answers 404 during the same cutover when both lags are equal", func() {
		f, msgs, start := startCutover(100*time.Millisecond, 100*time.Millisecond)
		c := watchCutover(f.RouterURLs()[0], start, 2*time.Second)
		Expect(c.firstGreen).To(BeNumerically(">=", 100*time.Millisecond))
		Expect(c.first404).To(BeZero(), "the registration, published first, is applied first")
		Expect(c.other).To(BeEmpty())
		Eventually(func() int { return len(f.Events()) }).WithTimeout(time.Second).Should(Equal(3))
		Expect(appliedAfter(f, 1)).To(Equal(msgs))
	})

	It("never reorders a router's removals, even after its removal lag is shortened", func() {
		f := startFleet(router.Options{Routers: 1})
		a, b := newBackend("a"), newBackend("b")
		ea, eb := a.endpoint(appGUID, processGUID, 0), b.endpoint(appGUID, processGUID, 1)
		register(f, routeHost, ea, eb)
		f.SetRemovalLag(0, 150*time.Millisecond)
		f.Publish(removal(ea))
		f.SetRemovalLag(0, 0)
		Expect(f.RemovalLags()).To(Equal([]time.Duration{0}))
		f.Publish(removal(eb))
		Eventually(f.Events).WithTimeout(time.Second).Should(HaveLen(4))
		events := f.Events()
		Expect(appliedAfter(f, 2)).To(Equal([]router.Message{removal(ea), removal(eb)}))
		Expect(events[3].Applied.Sub(events[2].Sent)).To(BeNumerically(">=", 150*time.Millisecond),
			"the second removal waited for the one queued ahead of it")
		Expect(f.Table(0)).To(BeEmpty())
	})

	It("applies the new removal lag to removals published after SetRemovalLag, and not to registrations", func() {
		f := startFleet(router.Options{Routers: 1})
		b := newBackend("a")
		f.SetRemovalLag(0, 80*time.Millisecond)
		Expect(f.Lags()).To(Equal([]time.Duration{0}), "SetRemovalLag leaves registrations alone")
		register(f, routeHost, b.endpoint(appGUID, processGUID, 0))
		f.Publish(removal(b.endpoint(appGUID, processGUID, 0)))
		Eventually(f.Events).WithTimeout(time.Second).Should(HaveLen(2))
		e := f.Events()[1]
		Expect(e.Message.Register).To(BeFalse())
		Expect(e.Applied.Sub(e.Sent)).To(BeNumerically(">=", 80*time.Millisecond))
	})

	Describe("one endpoint's messages", func() {
		var (
			f              *router.Fleet
			x, y           router.Endpoint
			routeEndpoints func() []router.Endpoint
			regX           router.Message
			unregX         router.Message
		)

		BeforeEach(func() {
			f = startFleet(router.Options{Routers: 1})
			x = newBackend("x").endpoint(appGUID, processGUID, 0)
			y = newBackend("y").endpoint(otherAppGUID, otherProcess, 0)
			regX = router.Message{Register: true, URI: routeHost, Endpoint: x}
			unregX = removal(x)
			routeEndpoints = func() []router.Endpoint { return f.Table(0)[routeHost] }
		})

		It("drops a registration overtaken by a later removal of the same endpoint", func() {
			f.SetLag(0, 200*time.Millisecond)
			regY := router.Message{Register: true, URI: routeHost, Endpoint: y}
			f.Publish(regX)
			f.Publish(unregX)
			f.Publish(regY)
			// regY is queued behind regX, so once y is in the table regX has had its turn.
			sawX := false
			Eventually(func() []router.Endpoint {
				eps := routeEndpoints()
				for _, e := range eps {
					sawX = sawX || e.Address == x.Address
				}
				return eps
			}).WithTimeout(2 * time.Second).WithPolling(5 * time.Millisecond).Should(Equal([]router.Endpoint{y}))
			Expect(sawX).To(BeFalse(), "x never reached the table")
			Consistently(routeEndpoints).WithTimeout(100 * time.Millisecond).Should(Equal([]router.Endpoint{y}))
			Expect(appliedAfter(f, 0)).To(Equal([]router.Message{unregX, regY}), "the dropped registration has no event")
		})

		It("drops a removal overtaken by a later registration of the same endpoint", func() {
			register(f, routeHost, x)
			f.SetRemovalLag(0, 200*time.Millisecond)
			f.Publish(unregX)
			f.Publish(regX)
			Consistently(routeEndpoints).WithTimeout(400*time.Millisecond).WithPolling(5*time.Millisecond).
				Should(Equal([]router.Endpoint{x}), "x stays registered past the removal lag")
			Expect(appliedAfter(f, 0)).To(Equal([]router.Message{regX, regX}), "the dropped removal has no event")

			// Only messages published before the applied one are dropped: a removal published after
			// a registration, and still pending when that registration is applied, still lands.
			f.SetLag(0, 100*time.Millisecond)
			f.Publish(regX)
			f.Publish(unregX)
			Eventually(routeEndpoints).WithTimeout(2 * time.Second).Should(BeEmpty())
			Expect(appliedAfter(f, 2)).To(Equal([]router.Message{regX, unregX}))
		})
	})
})
