package cfsim_test

import (
	"context"
	"sync"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("route propagation through several routers", func() {
	var f *foundation
	BeforeEach(func() {
		f = startFoundation(cfsim.Config{Routers: 3, RouteLagMin: 200 * time.Millisecond, RouteLagMax: 1500 * time.Millisecond})
	})
	AfterEach(func() { f.close() })

	It("makes a mapped route reachable on each router only after that router's lag, and unreachable after its removal lag", func() {
		ctx := context.Background()
		app, _ := f.push(pushOpts{name: "lagged", version: "v1", noRoute: true})
		f.waitRunning(app.GUID, 1)
		host := "lagged-route"
		route, err := f.cf.Routes.Create(ctx, withHost(resource.NewRouteCreate(f.domain.GUID, f.SpaceGUID), host))
		Expect(err).NotTo(HaveOccurred())
		lags := f.sim.Routers().Lags()
		GinkgoWriter.Printf("router lags: %v\n", lags)

		dests, err := f.cf.Routes.InsertDestinations(ctx, route.GUID,
			[]*resource.RouteDestinationInsertOrReplace{resource.NewRouteDestinationInsertOrReplace(app.GUID)})
		Expect(err).NotTo(HaveOccurred())
		firstOK := f.timeUntilEachRouter(f.host(host), 200)
		for i, d := range firstOK {
			GinkgoWriter.Printf("router %d: lag %v, reachable after %v\n", i, lags[i], d-0)
			Expect(d).To(BeNumerically(">=", lags[i]), "router %d answered before its lag", i)
			Expect(d).To(BeNumerically("<", lags[i]+400*time.Millisecond), "router %d answered long after its lag", i)
		}

		Expect(f.cf.Routes.RemoveDestination(ctx, route.GUID, *dests.Destinations[0].GUID)).To(Succeed())
		removal := f.sim.Routers().RemovalLags()
		gone := f.timeUntilEachRouter(f.host(host), 404)
		for i, d := range gone {
			GinkgoWriter.Printf("router %d: removal lag %v, gone after %v\n", i, removal[i], d)
			Expect(d).To(BeNumerically(">=", removal[i]), "router %d dropped the route before its removal lag", i)
			Expect(d).To(BeNumerically("<", removal[i]+400*time.Millisecond))
		}
	})

	It("records when each router applied each registration", func() {
		app, _ := f.push(pushOpts{name: "recorded", version: "v1"})
		f.waitRunning(app.GUID, 1)
		lags := f.sim.Routers().Lags()
		Eventually(func() int { return len(f.sim.RouteEvents()) }, 5*time.Second, 20*time.Millisecond).Should(Equal(3))
		for _, e := range f.sim.RouteEvents() {
			Expect(e.Message.Register).To(BeTrue())
			Expect(e.Message.Endpoint.AppGUID).To(Equal(app.GUID))
			Expect(e.Applied.Sub(e.Sent)).To(BeNumerically("~", lags[e.Router], 50*time.Millisecond))
		}
	})
})

func withHost(rc *resource.RouteCreate, host string) *resource.RouteCreate {
	rc.Host = &host
	return rc
}

// timeUntilEachRouter polls every router directly, concurrently, every 10 ms, and returns how
// long after the call each first answered the wanted status (bounded at 5 s).
func (f *foundation) timeUntilEachRouter(host string, status int) []time.Duration {
	start := time.Now()
	out := make([]time.Duration, len(f.info.RouterURLs))
	var wg sync.WaitGroup
	for i, u := range f.info.RouterURLs {
		wg.Add(1)
		go func() {
			defer GinkgoRecover()
			defer wg.Done()
			for time.Since(start) < 5*time.Second {
				if get(u, host, "/").status == status {
					out[i] = time.Since(start)
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			Fail("router " + u + " never answered the expected status")
		}()
	}
	wg.Wait()
	return out
}

var _ = Describe("gorouter responses", func() {
	var f *foundation
	var app *resource.App
	BeforeEach(func() {
		f = startFoundation(cfsim.Config{Routers: 1})
		app, _ = f.push(pushOpts{name: "target", version: "v1", instances: 2})
		f.waitRunning(app.GUID, 2)
		Eventually(func() int { return get(f.info.LBURL, f.host("target"), "/").status }, 5*time.Second, 20*time.Millisecond).Should(Equal(200))
	})
	AfterEach(func() { f.close() })

	It("answers 404 unknown_route with gorouter's exact body and headers for an unknown host", func() {
		r := get(f.info.LBURL, "nope."+f.info.Domain, "/")
		Expect(r.status).To(Equal(404))
		Expect(r.body).To(Equal("404 Not Found: Requested route ('nope." + f.info.Domain + "') does not exist.\n"))
		Expect(r.header.Get("X-Cf-Routererror")).To(Equal("unknown_route"))
		Expect(r.header.Get("Content-Type")).To(Equal("text/plain; charset=utf-8"))
		Expect(r.header.Get("X-Content-Type-Options")).To(Equal("nosniff"))
		Expect(r.header.Get("Cache-Control")).To(Equal("no-cache, no-store"))
		Expect(r.header.Get("X-Vcap-Request-Id")).To(BeEmpty())
	})

	It("tells the backend which app and instance it is, and adds a request id", func() {
		r := get(f.info.LBURL, f.host("target"), "/")
		Expect(r.status).To(Equal(200))
		Expect(r.header.Get("X-Served-By-App")).To(Equal(app.GUID))
		Expect(r.header.Get("X-Vcap-Request-Id")).NotTo(BeEmpty())
		Expect(r.header.Get("X-App-Version")).To(Equal("v1"))
	})

	It("routes X-CF-App-Instance to that instance, and refuses misses and malformed values", func() {
		for i := 0; i < 5; i++ {
			r := get(f.info.LBURL, f.host("target"), "/", "X-CF-App-Instance", app.GUID+":1")
			Expect(r.status).To(Equal(200))
			Expect(r.header.Get("X-Served-By-Index")).To(Equal("1"))
		}
		r := get(f.info.LBURL, f.host("target"), "/", "X-CF-App-Instance", app.GUID+":7")
		Expect(r.status).To(Equal(400))
		Expect(r.header.Get("X-Cf-Routererror")).To(Equal("unknown_route"))
		Expect(r.body).To(Equal("400 Bad Request: Requested instance ('7') with guid ('" + app.GUID +
			"') does not exist for route ('" + f.host("target") + "')\n"))
		r = get(f.info.LBURL, f.host("target"), "/", "X-CF-App-Instance", upperGUID(app.GUID)+":0")
		Expect(r.status).To(Equal(400))
		Expect(r.header.Get("X-Cf-Routererror")).To(Equal("invalid_cf_app_instance_header"))
		Expect(r.body).To(Equal("400 Bad Request: Invalid X-CF-App-Instance Header\n"))
	})

	It("routes X-CF-Process-Instance to the process, and answers a miss with 400 unknown_route", func() {
		proc := f.webProcess(app.GUID)
		r := get(f.info.LBURL, f.host("target"), "/", "X-CF-Process-Instance", proc+":0")
		Expect(r.status).To(Equal(200))
		Expect(r.header.Get("X-Served-By-Index")).To(Equal("0"))
		other := "00000000-0000-4000-8000-000000000000"
		r = get(f.info.LBURL, f.host("target"), "/", "X-CF-Process-Instance", other)
		Expect(r.status).To(Equal(400))
		Expect(r.body).To(Equal("400 Bad Request: Requested instance with process guid ('" + other +
			"') does not exist for route ('" + f.host("target") + "')\n"))
	})

	It("answers 502 endpoint_failure when the only endpoint it knows has died", func() {
		f.sim.SetRouterLag(0, 3*time.Second)
		Expect(f.cf.Processes.Terminate(context.Background(), f.webProcess(app.GUID), 0)).To(Succeed())
		Expect(f.cf.Processes.Terminate(context.Background(), f.webProcess(app.GUID), 1)).To(Succeed())
		Eventually(func() int { return get(f.info.LBURL, f.host("target"), "/").status }, 2*time.Second, 20*time.Millisecond).Should(Equal(502))
		r := get(f.info.LBURL, f.host("target"), "/")
		Expect(r.body).To(Equal("502 Bad Gateway: Registered endpoint failed to handle the request.\n"))
		Expect(r.header.Get("X-Cf-Routererror")).To(HavePrefix("endpoint_failure ("))
	})
})

func (f *foundation) webProcess(appGUID string) string {
	p, err := f.cf.Processes.FirstForApp(context.Background(), appGUID, nil)
	Expect(err).NotTo(HaveOccurred())
	return p.GUID
}

func upperGUID(g string) string {
	b := []byte(g)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}
