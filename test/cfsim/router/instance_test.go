package router_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// servedBy sends n requests and returns the backend name of each answer (or the status line).
func servedBy(url string, n int, headers ...string) []string {
	GinkgoHelper()
	names := make([]string, n)
	for i := range names {
		r := get(url, routeHost, "/", headers...)
		Expect(r.Code).To(Equal(200), r.Body)
		names[i] = r.Body
	}
	return names
}

var _ = Describe("X-CF-App-Instance", func() {
	var (
		f                   *router.Fleet
		url                 string
		blue, green, green1 *backend
	)

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 1})
		url = f.RouterURLs()[0]
		blue, green, green1 = newBackend("blue"), newBackend("green"), newBackend("green1")
		register(f, routeHost,
			blue.endpoint(appGUID, processGUID, 0),
			green.endpoint(otherAppGUID, otherProcess, 0),
			green1.endpoint(otherAppGUID, otherProcess, 1))
	})

	It("routes only to the named app instance and strips the header", func() {
		Expect(servedBy(url, 4, "X-CF-App-Instance: "+otherAppGUID+":1")).To(HaveEach("green1"))
		Expect(green1.lastSeen().Header).NotTo(HaveKey("X-Cf-App-Instance"))
	})

	It("accepts the header name in any case", func() {
		Expect(servedBy(url, 2, "x-cf-app-instance: "+appGUID+":0")).To(HaveEach("blue"))
	})

	It("answers 400 unknown_route for an index the route does not have", func() {
		expectRouterError(get(url, routeHost, "/", "X-CF-App-Instance: "+otherAppGUID+":2"), 400,
			"unknown_route", "no-cache, no-store",
			"400 Bad Request: Requested instance ('2') with guid ('"+otherAppGUID+
				"') does not exist for route ('"+routeHost+"')\n")
	})

	It("treats an upper-case guid as malformed", func() {
		upper := "6A2F0C1E-1C1B-4A47-9A5E-0D6F3C2A1B10"
		expectRouterError(get(url, routeHost, "/", "X-CF-App-Instance: "+upper+":0"), 400,
			"invalid_cf_app_instance_header", "no-cache, no-store",
			"400 Bad Request: Invalid X-CF-App-Instance Header\n")
	})

	It("wins over X-CF-Process-Instance when both are sent", func() {
		f.SetProcessInstanceHeader(true)
		Expect(servedBy(url, 3, "X-CF-App-Instance: "+appGUID+":0",
			"X-CF-Process-Instance: "+otherProcess+":1")).To(HaveEach("blue"))
	})
})

var _ = Describe("X-CF-Process-Instance", func() {
	var (
		f                  *router.Fleet
		url                string
		old, new0, new1    *backend
		newProcessInstance = "X-CF-Process-Instance: " + otherProcess
	)

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 1, ProcessInstanceHeader: true})
		url = f.RouterURLs()[0]
		old, new0, new1 = newBackend("old"), newBackend("new0"), newBackend("new1")
		// A rolling deployment: one app, two processes, both using index 0.
		register(f, routeHost,
			old.endpoint(appGUID, processGUID, 0),
			new0.endpoint(appGUID, otherProcess, 0),
			new1.endpoint(appGUID, otherProcess, 1))
	})

	It("routes to any instance of the process when no index is given", func() {
		// Each request gets a fresh pool with a random start, so ask until both have answered.
		served := map[string]int{}
		for i := 0; i < 100 && len(served) < 2; i++ {
			served[servedBy(url, 1, newProcessInstance)[0]]++
		}
		Expect(served).To(HaveKey("new0"))
		Expect(served).To(HaveKey("new1"))
		Expect(served).NotTo(HaveKey("old"))
	})

	It("routes to one instance with GUID:INDEX and passes the header on", func() {
		Expect(servedBy(url, 3, newProcessInstance+":1")).To(HaveEach("new1"))
		Expect(new1.lastSeen().Header.Get("X-Cf-Process-Instance")).To(Equal(otherProcess + ":1"))
	})

	It("answers 400 unknown_route for a missing index", func() {
		expectRouterError(get(url, routeHost, "/", newProcessInstance+":7"), 400, "unknown_route",
			"no-cache, no-store", "400 Bad Request: Requested instance ('7') with process guid ('"+
				otherProcess+"') does not exist for route ('"+routeHost+"')\n")
	})

	It("answers 400 unknown_route for a missing process", func() {
		missing := "ffffffff-0000-4000-8000-000000000000"
		expectRouterError(get(url, routeHost, "/", "X-CF-Process-Instance: "+missing), 400, "unknown_route",
			"no-cache, no-store", "400 Bad Request: Requested instance with process guid ('"+
				missing+"') does not exist for route ('"+routeHost+"')\n")
	})

	It("is ignored and passed through by routers that predate it", func() {
		f.SetProcessInstanceHeader(false)
		Expect(servedBy(url, 6, newProcessInstance+":1")).To(ContainElement("old"))
		Expect(old.lastSeen().Header.Get("X-Cf-Process-Instance")).To(Equal(otherProcess + ":1"))
		Expect(get(url, routeHost, "/", "X-CF-Process-Instance: NOT-A-GUID").Code).To(Equal(200))
	})
})
