package candidate_test

import (
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

const appsInternalURL = "shop.apps.internal"

var _ = Describe("a blue-green deploy of the whole app", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL)
		w.cf.SeedProcess(live.GUID, "worker", 2, 128)
		w.cf.ProcessTypes = []string{"worker"} // the new droplet's Procfile has a worker too
	})

	Describe("every process type", func() {
		It("fails, leaving the old web and worker running, when the new worker crashes", func() {
			w.cf.SetTypeStates(candName+"/worker", "CRASHED", "RUNNING")
			_, err := w.deploy()
			Expect(err).To(MatchError(ContainSubstring("worker process: instance 0 crashed")))
			Expect(err.Error()).To(HavePrefix("start: "))
			Expect(w.cf.AppByGUID(live.GUID).State).To(Equal("STARTED"), "the old worker was stopped")
			Expect(w.cf.Serving(liveURL)).To(Equal([]string{appName}))
			Expect(w.cf.AppNames()).To(Equal([]string{appName}))
		})

		It("fails when a process crashes during the settle window, before the old version stops", func() {
			w.plan.Settle = 400 * time.Millisecond
			w.cf.After("Start", func(c Call) {
				if c.Args[0] != live.GUID {
					time.AfterFunc(100*time.Millisecond, func() { w.cf.SetTypeStates(candName+"/worker", "RUNNING", "CRASHED") })
				}
			})
			_, err := w.deploy()
			Expect(err).To(MatchError(ContainSubstring("during the settle window (params.settle 400ms): worker process: instance 1 crashed")))
			Expect(err.Error()).To(HavePrefix("settle: "))
			Expect(count(w.cf.Calls(), "Map", "", candidateOf(w.cf.Calls()))).To(BeZero(), "the crashing version got live routes")
			Expect(w.cf.AppByGUID(live.GUID).State).To(Equal("STARTED"))
		})

		It("sizes every process type like the live app where the manifest does not say, before it starts", func() {
			w.m.Instances, w.m.Memory = 0, ""
			w.cf.SeedApp("unused", 1, nil, nil)
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.ProcessesOf(res.AppGUID)).To(Equal([]string{"web:2×256M", "worker:2×128M"}))
			calls := w.cf.Calls()
			inOrder("scaled, then started", last(calls, "ScaleProcess", "process-worker-of-"+res.AppGUID), first(calls, "Start", res.AppGUID))
		})

		It("keeps the manifest's size where it gives one", func() {
			w.plan.Sizes = map[string]platform.Scale{"web": {Instances: ptr(2)}}
			w.m.Instances = 2
			w.cf.SeedApp("unused", 1, nil, nil)
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.ProcessesOf(res.AppGUID)[0]).To(Equal("web:2×256M"))
		})
	})

	Describe("what was attached to the live app", func() {
		It("binds the new app to the live app's services, with their names and parameters, before it starts", func() {
			w.cf.SeedServiceInstance("db", false)
			w.cf.SeedServiceInstance("creds", true)
			w.cf.SeedBinding(live.GUID, "db", "primary", map[string]any{"pool": 5.0})
			w.cf.SeedBinding(live.GUID, "creds", "", nil)
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.BindingsOf(res.AppGUID)).To(Equal([]string{"creds:", "db:primary"}))
			calls := w.cf.Calls()
			inOrder("bound, then started", last(calls, "Bind", res.AppGUID), first(calls, "Start", res.AppGUID))
			Expect(w.out.String()).To(ContainSubstring("binding creds: CC cannot give its parameters back"))
		})

		It("fails before any cutover, leaving the live app alone, when a binding fails", func() {
			w.cf.SeedServiceInstance("db", false)
			w.cf.SeedBinding(live.GUID, "db", "", nil)
			w.cf.BindErr = errors.New("service broker error: bind refused")
			_, err := w.deploy()
			Expect(err).To(MatchError(ContainSubstring("bind service instance db like the live app: service broker error")))
			Expect(err.Error()).To(HavePrefix("carry over: "))
			liveUntouched(w, live, []string{liveURL})
		})

		It("gives the new app the live app's network policies, both ways, before cutover, and leaves the old app's", func() {
			other := w.cf.SeedApp("cart", 1, nil, nil)
			w.cf.SeedPolicy(platform.Policy{SourceGUID: live.GUID, DestinationGUID: other.GUID, Protocol: "tcp", StartPort: 8080, EndPort: 8080})
			w.cf.SeedPolicy(platform.Policy{SourceGUID: other.GUID, DestinationGUID: live.GUID, Protocol: "tcp", StartPort: 9000, EndPort: 9001})
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.PoliciesOf(res.AppGUID)).To(ConsistOf(
				platform.Policy{SourceGUID: res.AppGUID, DestinationGUID: other.GUID, Protocol: "tcp", StartPort: 8080, EndPort: 8080},
				platform.Policy{SourceGUID: other.GUID, DestinationGUID: res.AppGUID, Protocol: "tcp", StartPort: 9000, EndPort: 9001}))
			Expect(w.cf.PoliciesOf(live.GUID)).To(HaveLen(2))
			calls := w.cf.Calls()
			inOrder("policies, then routes", first(calls, "AddPolicies"), first(calls, "Map", w.cf.RouteGUID(liveURL)))
		})

		It("keeps a route's http2 protocol", func() {
			w.cf.SetProtocol(liveURL, live.GUID, "http2")
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.ProtocolOf(liveURL, res.AppGUID)).To(Equal("http2"))
		})
	})

	Describe("routes of every kind", func() {
		It("maps an internal route without proving it through the routers, and waits the grace before the old app leaves it", func() {
			w.cf.SeedRoute(appsInternalURL, live.GUID)
			w.plan.InternalGrace = 200 * time.Millisecond
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.Mapped(res.AppGUID)).To(ConsistOf(liveURL, appsInternalURL))
			calls := w.cf.Calls()
			Expect(count(calls, "AwaitPresent", appsInternalURL)).To(BeZero())
			Expect(count(calls, "AwaitAbsent", appsInternalURL)).To(BeZero())
			Expect(w.out.String()).To(ContainSubstring("internal routes reach no router, so they cannot be proven"))
			internal := w.cf.RouteGUID(appsInternalURL)
			inOrder("mapped, then the old app unmapped", first(calls, "Map", internal, res.AppGUID), first(calls, "Unmap", internal, live.GUID))
		})

		It("with exact_routes unmaps a route the manifest no longer names, proven gone", func() {
			w.cf.SeedRoute(internalURL, live.GUID)
			w.plan.Routes, w.plan.ExactRoutes = []string{liveURL}, true
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.Mapped(res.AppGUID)).To(Equal([]string{liveURL}))
			Expect(w.cf.Mapped(live.GUID)).To(BeEmpty())
			Expect(count(w.cf.Calls(), "AwaitAbsent", internalURL, live.GUID)).To(Equal(1))
		})

		It("without exact_routes keeps the live app's routes the manifest does not name, as cf push", func() {
			w.cf.SeedRoute(internalURL, live.GUID)
			w.plan.Routes = []string{liveURL}
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(w.cf.Mapped(res.AppGUID)).To(Equal([]string{liveURL, internalURL}))
		})
	})
})

var _ = Describe("a blue-green deploy of an app without routes (a worker)", func() {
	It("has no temporary route and checks nothing through the routers, and stops the old app only once the new one settled", func() {
		w := newWorld()
		live := w.cf.SeedApp(appName, 1, map[string]string{roleKey: "live"}, map[string]string{annApp: appName})
		w.plan.NoRoute, w.plan.Settle = true, 100*time.Millisecond
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		Expect(count(calls, "EnsureRoute")).To(BeZero())
		Expect(count(calls, "AwaitPresent")).To(BeZero())
		Expect(w.cf.RouteURLs()).To(BeEmpty())
		Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
		Expect(w.cf.AppByGUID(live.GUID).State).To(Equal("STOPPED"))
		Expect(phaseNames(w.tl.Phases)).To(ContainElement("settle"))
		Expect(phaseNames(w.tl.Phases)).NotTo(ContainElement("verify temporary route"))
	})

	It("refuses smoke checks, which have nothing to check, before anything changes", func() {
		w := newWorld()
		w.seedLive(1)
		w.plan.NoRoute, w.plan.Checks = true, []probe.Check{{Path: "/health"}}
		_, err := w.deploy()
		Expect(err).To(MatchError(ContainSubstring("params.smoke_checks: shop has no routes")))
		Expect(mutations(w.cf.Calls())).To(BeEmpty())
	})
})

var _ = Describe("bad input a deploy refuses before anything changes", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.seedLive(1, liveURL)
	})

	DescribeTable("naming the manifest field",
		func(setup func(), want string) {
			setup()
			_, err := w.deploy()
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(mutations(w.cf.Calls())).To(BeEmpty())
		},
		Entry("a route on a domain the foundation does not have", func() { w.plan.Routes = []string{"shop.nowhere.example.org"} },
			`params.manifest: route "shop.nowhere.example.org": no domain of this foundation matches it`),
		Entry("a TCP route", func() { w.plan.Routes = []string{"tcp.apps.example.com:1024"} },
			`params.manifest: route "tcp.apps.example.com:1024": TCP routes (host:port) are not supported`),
		Entry("a service instance that does not exist", func() { w.plan.Services = []string{"db"} },
			`params.manifest: services: service instance "db" does not exist in space prod`),
	)
})

var _ = Describe("a failed version's evidence", func() {
	It("prints the last lines of its staging and of its instances before it is removed, and where to look closer", func() {
		w := newWorld()
		w.seedLive(2, liveURL)
		w.cf.InstanceStates[candName] = []string{"CRASHED", "CRASHED"}
		w.cf.Logs[candName] = []platform.LogLine{
			{Source: "STG", Message: "-----> Binary Buildpack version 1.1.0"},
			{Source: "APP/PROC/WEB", Index: "0", Message: "starting on port 8080"},
			{Source: "APP/PROC/WEB", Index: "0", Stderr: true, Message: "panic: no DATABASE_URL"},
			{Source: "CELL", Index: "0", Message: "Exit status 2"},
		}
		_, err := w.deploy()
		Expect(err).To(HaveOccurred())
		out := w.out.String()
		Expect(out).To(ContainSubstring("last 1 lines of shop-candidate's staging (Log Cache):"))
		Expect(out).To(ContainSubstring("[STG] -----> Binary Buildpack version 1.1.0"))
		Expect(out).To(ContainSubstring("[APP/PROC/WEB/0 ERR] panic: no DATABASE_URL"))
		Expect(out).To(ContainSubstring("[CELL/0] Exit status 2"))
		Expect(out).To(ContainSubstring("params.keep_failed: true"))
		Expect(out).To(MatchRegexp(`(?s)panic: no DATABASE_URL.*remove the candidate`), "printed after the candidate was removed")
	})
})
