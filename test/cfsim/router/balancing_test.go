package router_test

import (
	"net/http"
	"net/http/httptest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("load balancing and retries", func() {
	var (
		f   *router.Fleet
		url string
	)

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 1})
		url = f.RouterURLs()[0]
	})

	It("alternates round-robin between two backends", func() {
		a, b := newBackend("a"), newBackend("b")
		register(f, routeHost, a.endpoint(appGUID, processGUID, 0), b.endpoint(appGUID, processGUID, 1))
		names := servedBy(url, 10)
		for i := 1; i < len(names); i++ {
			Expect(names[i]).NotTo(Equal(names[i-1]), "round-robin never serves twice in a row: %v", names)
		}
		Expect(a.hits.Load()).To(BeEquivalentTo(5))
		Expect(b.hits.Load()).To(BeEquivalentTo(5))
	})

	It("retries a refused connection on the next endpoint, then skips the dead one", func() {
		alive := newBackend("alive")
		register(f, routeHost, router.Endpoint{Address: deadAddr(), AppGUID: appGUID},
			alive.endpoint(appGUID, processGUID, 1))
		Expect(servedBy(url, 10)).To(HaveEach("alive"))
		Expect(alive.hits.Load()).To(BeEquivalentTo(10))
	})

	It("gives up after MaxAttempts attempts", func() {
		one := startFleet(router.Options{Routers: 1, MaxAttempts: 1})
		register(one, routeHost, router.Endpoint{Address: deadAddr()}, newBackend("alive").endpoint(appGUID, processGUID, 1))
		// Round-robin sends the first two requests to different endpoints and, with a single
		// attempt, the one that meets the dead endpoint fails; after that it is skipped.
		first := []int{get(one.RouterURLs()[0], routeHost, "/").Code, get(one.RouterURLs()[0], routeHost, "/").Code}
		Expect(first).To(ConsistOf(200, 502))
		Expect(servedBy(one.RouterURLs()[0], 4)).To(HaveEach("alive"))
	})

	It("answers 502 when every endpoint refuses", func() {
		register(f, routeHost, router.Endpoint{Address: deadAddr()}, router.Endpoint{Address: deadAddr()})
		r := get(url, routeHost, "/")
		Expect(r.Code).To(Equal(502))
		Expect(r.Header.Get("X-Cf-Routererror")).To(MatchRegexp(`^endpoint_failure \(dial tcp 127\.0\.0\.1:\d+: connect: connection refused\)$`))
	})

	Context("when a backend hangs up on a request it received", func() {
		var good *backend
		BeforeEach(func() {
			hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					_ = conn.Close() // the request arrived; the backend dies before answering
				}
			}))
			DeferCleanup(hangup.Close)
			good = newBackend("good")
			register(f, routeHost, router.Endpoint{Address: hangup.Listener.Addr().String()},
				good.endpoint(appGUID, processGUID, 1))
		})

		It("does not retry a request that is not idempotent", func() {
			codes := []int{do("POST", url, routeHost, "/", "x").Code, do("POST", url, routeHost, "/", "x").Code}
			Expect(codes).To(ConsistOf(200, 502))
			Expect(good.hits.Load()).To(BeEquivalentTo(1))
		})

		It("retries an idempotent one on the next endpoint (EOF on an idempotent request)", func() {
			codes := []int{do("GET", url, routeHost, "/", "").Code, do("GET", url, routeHost, "/", "").Code}
			Expect(codes).To(Equal([]int{200, 200}))
			Expect(good.hits.Load()).To(BeEquivalentTo(2))
		})
	})
})
