package router_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("route lookup", func() {
	var (
		f   *router.Fleet
		url string
	)

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 1})
		url = f.RouterURLs()[0]
		register(f, "*.apps.example.com", newBackend("wildcard").endpoint(appGUID, processGUID, 0))
		register(f, "foo.apps.example.com", newBackend("foo").endpoint(appGUID, processGUID, 0))
		register(f, "foo.apps.example.com/api", newBackend("api").endpoint(appGUID, processGUID, 0))
		register(f, "foo.apps.example.com/api/v2", newBackend("api-v2").endpoint(appGUID, processGUID, 0))
	})

	DescribeTable("picks the pool",
		func(host, path, want string) {
			r := get(url, host, path)
			Expect(r.Code).To(Equal(200), r.Body)
			Expect(r.Body).To(Equal(want))
		},
		Entry("exact host", "foo.apps.example.com", "/", "foo"),
		Entry("host with a port", "foo.apps.example.com:443", "/", "foo"),
		Entry("host in upper case", "FOO.Apps.Example.COM", "/", "foo"),
		Entry("path route", "foo.apps.example.com", "/api", "api"),
		Entry("longest path prefix", "foo.apps.example.com", "/api/v2/things?q=1", "api-v2"),
		Entry("shorter path prefix", "foo.apps.example.com", "/api/v1/things", "api"),
		Entry("path in another case", "foo.apps.example.com", "/API/", "api"),
		Entry("whole segments only", "foo.apps.example.com", "/apifoo", "foo"),
		Entry("wildcard for another host", "bar.apps.example.com", "/", "wildcard"),
		Entry("wildcard for a deeper host", "a.b.apps.example.com", "/api", "wildcard"),
	)

	It("answers 404 outside every pool and wildcard", func() {
		Expect(get(url, "foo.example.org", "/").Header.Get("X-Cf-Routererror")).To(Equal("unknown_route"))
		Expect(get(url, "apps.example.com", "/").Code).To(Equal(404))
	})

	It("replaces an endpoint re-registered at the same address", func() {
		b := newBackend("again")
		register(f, "again.example.com", b.endpoint(appGUID, processGUID, 0))
		f.Publish(router.Message{Register: true, URI: "again.example.com", Endpoint: b.endpoint(otherAppGUID, otherProcess, 3)})
		Eventually(func() []router.Endpoint { return f.Table(0)["again.example.com"] }).
			Should(Equal([]router.Endpoint{b.endpoint(otherAppGUID, otherProcess, 3)}))
	})

	It("unregisters by address only, whatever the other fields say", func() {
		a, b := newBackend("a"), newBackend("b")
		register(f, "two.example.com", a.endpoint(appGUID, processGUID, 0), b.endpoint(appGUID, processGUID, 1))
		f.Publish(router.Message{URI: "two.example.com", Endpoint: router.Endpoint{Address: a.addr()}})
		Eventually(func() []router.Endpoint { return f.Table(0)["two.example.com"] }).
			Should(Equal([]router.Endpoint{b.endpoint(appGUID, processGUID, 1)}))
	})
})
