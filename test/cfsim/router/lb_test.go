package router_test

import (
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("load balancer", func() {
	It("sends each request to the next router and keeps the Host header", func() {
		f := startFleet(router.Options{Routers: 3})
		// Only router 0 learns the route, so the answers show which router served each request.
		f.SetLag(1, time.Hour)
		f.SetLag(2, time.Hour)
		b := newBackend("a")
		f.Publish(registration(b))
		Eventually(func() map[string][]router.Endpoint { return f.Table(0) }).ShouldNot(BeEmpty())
		codes := map[int]int{}
		for range 9 {
			r := get(f.LBURL(), routeHost, "/")
			codes[r.Code]++
			if r.Code == 404 {
				Expect(r.Header.Get("X-Cf-Routererror")).To(Equal("unknown_route"), "the router's page passes through")
			}
		}
		Expect(codes).To(Equal(map[int]int{200: 3, 404: 6}))
		Expect(b.lastSeen().Host).To(Equal(routeHost))
		Expect(b.lastSeen().Header.Get("X-Forwarded-For")).To(Equal("127.0.0.1, 127.0.0.1"))
	})

	It("answers a plain 502 when the router it picked is unreachable", func() {
		lb := httptest.NewServer(router.NewBalancer([]string{deadAddr()}))
		DeferCleanup(lb.Close)
		r := get(lb.URL, routeHost, "/")
		Expect(r.Code).To(Equal(502))
		Expect(r.Body).To(Equal("502 Bad Gateway\n"))
		Expect(r.Header).NotTo(HaveKey("X-Cf-Routererror"))
	})
})
