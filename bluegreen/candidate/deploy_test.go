package candidate_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

var _ = Describe("a first deploy", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("builds the candidate under a lease on the temporary route only, maps APP.DOMAIN, and promotes it to APP", func() {
		began := time.Now()
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		cand := res.AppGUID
		tempRoute := w.cf.RouteGUID(tempURL)

		By("creating the candidate with role candidate and the lease annotations")
		create := first(calls, "CreateApp", spaceGUID, candName)
		Expect(create).To(BeNumerically(">=", 0))
		Expect(calls[create].Labels).To(Equal(map[string]string{roleKey: "candidate"}))
		ann := calls[create].Annotations
		Expect(ann).To(HaveKeyWithValue(annApp, appName))
		Expect(ann).To(HaveKeyWithValue(annStep, "created"))
		Expect(ann[annDeployID]).NotTo(BeEmpty())
		Expect(ann).To(HaveKeyWithValue("cf-bluegreen-resource/build-team", "main"))
		Expect(ann).To(HaveKeyWithValue("cf-bluegreen-resource/build-name", "42"))
		expires, err := time.Parse(time.RFC3339Nano, ann[annLease])
		Expect(err).NotTo(HaveOccurred())
		Expect(expires).To(BeTemporally("~", began.Add(w.plan.LeaseTTL), 500*time.Millisecond))

		By("applying the manifest for the candidate with the temporary route only")
		Expect(w.m.Renders()).To(HaveLen(1))
		Expect(w.m.Renders()[0].Name).To(Equal(candName))
		Expect(w.m.Renders()[0].Routes).To(Equal([]string{tempURL}))
		apply := first(calls, "ApplyManifest", spaceGUID)
		Expect(calls[apply].YAML).To(ContainSubstring("name: " + candName))
		Expect(calls[apply].YAML).NotTo(ContainSubstring(liveURL))

		By("uploading the bits while CC applies the manifest; then staging, setting the droplet and starting, in that order")
		Expect(w.cf.Bits).To(HaveKeyWithValue(cand, theBits))
		upload := first(calls, "Upload", cand)
		inOrder("upload", create, upload, first(calls, "Stage"))
		inOrder("build", create, apply, first(calls, "Stage"),
			first(calls, "SetDroplet", cand, res.DropletGUID), first(calls, "Start", cand),
			first(calls, "AwaitPresent", tempURL, cand))

		By("mapping APP.DOMAIN only after the temporary route was verified, and proving it; deleting the temporary route before the rename releases the lease")
		liveRoute := w.cf.RouteGUID(liveURL)
		inOrder("cutover", first(calls, "AwaitPresent", tempURL, cand), first(calls, "Map", liveRoute, cand),
			first(calls, "AwaitPresent", liveURL, cand), first(calls, "DeleteRoute", tempRoute),
			first(calls, "Update", cand, appName))

		By("leaving APP live, with no lease, on its route alone")
		live := w.cf.AppNamed(appName)
		Expect(live).NotTo(BeNil())
		Expect(live.GUID).To(Equal(cand))
		Expect(live.State).To(Equal("STARTED"))
		Expect(live.Labels).To(HaveKeyWithValue(roleKey, "live"))
		Expect(live.Annotations).NotTo(HaveKey(annLease))
		Expect(live.Annotations).NotTo(HaveKey(annStep))
		Expect(live.Annotations).To(HaveKey(annDeployed))
		Expect(w.cf.AppNames()).To(Equal([]string{appName}))
		Expect(w.cf.Mapped(cand)).To(Equal([]string{liveURL}))
		Expect(w.cf.RouteURLs()).To(Equal([]string{liveURL}), "the temporary route is deleted")

		By("reporting what it did")
		Expect(res.AppName).To(Equal(appName))
		Expect(res.PreviousGUID).To(BeEmpty())
		Expect(res.DropletGUID).To(Equal(live.Droplet))
		Expect(res.DropletGUID).NotTo(BeEmpty())
		Expect(res.RevisionGUID).To(Equal("revision-of-" + live.Droplet))
		Expect(res.Routes).To(Equal([]string{liveURL}))
		Expect(res.Verified).To(HaveLen(1))
		Expect(res.Verified[0].Route).To(Equal(liveURL))
		Expect(res.Verified[0].Probes).To(BeNumerically(">", 0))
		Expect(res.Healed).To(BeEmpty())
	})

	It("maps the manifest's routes instead of APP.DOMAIN, splitting each on the longest domain", func() {
		w.plan.Routes = []string{internalURL, "www.apps.example.com/shop"}
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Routes).To(ConsistOf(internalURL, "www.apps.example.com/shop"))
		Expect(w.cf.Mapped(res.AppGUID)).To(Equal([]string{internalURL, "www.apps.example.com/shop"}))
		Expect(w.cf.RouteURLs()).NotTo(ContainElement(liveURL))
		calls := w.cf.Calls()
		Expect(first(calls, "EnsureRoute", spaceGUID, "domain-internal", "shop", "")).To(BeNumerically(">=", 0))
		Expect(first(calls, "EnsureRoute", spaceGUID, "domain-apps", "www", "/shop")).To(BeNumerically(">=", 0))
		Expect(first(calls, "AwaitPresent", "www.apps.example.com/shop", res.AppGUID)).To(BeNumerically(">=", 0))
	})

	It("maps a route that is a domain alone, without a host, as CC allows", func() {
		w.plan.Routes = []string{"apps.example.com/shop"}
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.Mapped(res.AppGUID)).To(Equal([]string{"apps.example.com/shop"}))
		Expect(first(w.cf.Calls(), "EnsureRoute", spaceGUID, "domain-apps", "", "/shop")).To(BeNumerically(">=", 0))
		Expect(first(w.cf.Calls(), "AwaitPresent", "apps.example.com/shop", res.AppGUID)).To(BeNumerically(">=", 0))
	})
})

var _ = Describe("a deploy over a live app", func() {
	var (
		w     *world
		live  *fakeApp
		route func(url string) string
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL, internalURL)
		route = w.cf.RouteGUID
	})

	It("unmaps the old app only after the candidate was proven on every live route, and stops it only after it was proven gone", func() {
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		cand := res.AppGUID
		Expect(cand).NotTo(Equal(live.GUID))

		firstUnmap := first(calls, "Unmap", "", live.GUID)
		stop := first(calls, "Stop", live.GUID)
		Expect(firstUnmap).To(BeNumerically(">=", 0))
		for _, u := range urls {
			inOrder("moving "+u, first(calls, "Map", route(u), cand), last(calls, "AwaitPresent", u, cand), firstUnmap)
			inOrder("retiring from "+u, last(calls, "Unmap", route(u), live.GUID), first(calls, "AwaitAbsent", u, live.GUID), stop)
		}
		Expect(count(calls, "Stop", live.GUID)).To(Equal(1))

		By("deleting the temporary route while the old app's removal reaches the routers, before finalize")
		inOrder("temporary route", last(calls, "Unmap", "", live.GUID), first(calls, "DeleteRoute", w.cf.RouteGUID(tempURL)), stop)

		By("renaming the old app APP-previous, stopped, with role previous")
		prev := w.cf.AppNamed("shop-previous")
		Expect(prev).NotTo(BeNil())
		Expect(prev.GUID).To(Equal(live.GUID))
		Expect(prev.State).To(Equal("STOPPED"))
		Expect(prev.Labels).To(HaveKeyWithValue(roleKey, "previous"))
		Expect(prev.Annotations).To(HaveKeyWithValue(annApp, appName))
		Expect(w.cf.Mapped(live.GUID)).To(BeEmpty())

		By("leaving the candidate as APP on every live route")
		Expect(w.cf.AppNamed(appName).GUID).To(Equal(cand))
		Expect(w.cf.Mapped(cand)).To(Equal(urls))
		Expect(w.cf.AppNames()).To(Equal([]string{appName, "shop-previous"}))
		Expect(w.cf.RouteURLs()).To(Equal(urls))
		Expect(res.PreviousGUID).To(Equal(live.GUID))
		Expect(res.Routes).To(ConsistOf(urls))
		Expect(res.Verified).To(HaveLen(2))
	})

	It("proves every instance of the candidate and of the old app", func() {
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		// The fake prober only confirms presence when the backend asks for no more instances than
		// run, and the report counts 3 probes per instance asked for.
		for _, v := range res.Verified {
			Expect(v.Probes).To(Equal(3*w.m.Instances), v.Route)
		}
	})

	It("deletes the old app instead with keep_previous 0, after it was proven gone", func() {
		w.plan.KeepPrevious = 0
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		del := first(calls, "DeleteApp", live.GUID)
		for _, u := range urls {
			inOrder("retiring from "+u, first(calls, "AwaitAbsent", u, live.GUID), del)
		}
		Expect(w.cf.AppByGUID(live.GUID)).To(BeNil())
		Expect(w.cf.AppNames()).To(Equal([]string{appName}))
		Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
	})

	It("replaces APP-previous with keep_previous 1", func() {
		older := w.cf.SeedApp("shop-previous", 1, map[string]string{roleKey: "previous"},
			map[string]string{annApp: appName, annDeployed: time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339Nano)})
		_, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.AppByGUID(older.GUID)).To(BeNil())
		Expect(w.cf.AppNamed("shop-previous").GUID).To(Equal(live.GUID))
		Expect(w.cf.Collisions).To(BeEmpty())
	})

	It("with keep_previous 2 deletes the oldest and shifts the names, never renaming onto a taken name", func() {
		w.plan.KeepPrevious = 2
		prevMeta := func(age time.Duration, app string) map[string]string {
			return map[string]string{annApp: app, annDeployed: time.Now().Add(-age).UTC().Format(time.RFC3339Nano)}
		}
		p1 := w.cf.SeedApp("shop-previous", 1, map[string]string{roleKey: "previous"}, prevMeta(2*time.Hour, appName))
		p2 := w.cf.SeedApp("shop-previous-2", 1, map[string]string{roleKey: "previous"}, prevMeta(3*time.Hour, appName))
		other := w.cf.SeedApp("cart-previous", 1, map[string]string{roleKey: "previous"}, prevMeta(4*time.Hour, "cart"))
		for _, a := range []*fakeApp{p1, p2, other} {
			w.cf.SetState(a.GUID, "STOPPED")
		}

		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.Collisions).To(BeEmpty())
		Expect(w.cf.AppByGUID(p2.GUID)).To(BeNil(), "the oldest previous version is deleted")
		Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
		Expect(w.cf.AppNamed("shop-previous").GUID).To(Equal(live.GUID))
		Expect(w.cf.AppNamed("shop-previous-2").GUID).To(Equal(p1.GUID))
		Expect(w.cf.AppNamed("cart-previous").GUID).To(Equal(other.GUID), "another app's previous version is not ours")
		Expect(w.cf.AppNames()).To(Equal([]string{"cart-previous", appName, "shop-previous", "shop-previous-2"}))
	})
})

var _ = Describe("the candidate's environment", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(1, liveURL)
		w.cf.SetEnv(live.GUID, map[string]string{"FROM_LIVE": "live", "SHARED": "live", "TOP": "live"})
		w.plan.ManifestEnv = map[string]string{"SHARED": "manifest", "TOP": "manifest", "MANIFEST_ONLY": "manifest"}
		w.plan.Env = map[string]string{"TOP": "params"}
	})

	It("is the live app's, overridden by the manifest's, overridden by params.environment_variables", func() {
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		want := map[string]string{"FROM_LIVE": "live", "SHARED": "manifest", "TOP": "params", "MANIFEST_ONLY": "manifest"}
		Expect(w.m.Renders()[0].Env).To(Equal(want))
		Expect(w.cf.AppByGUID(res.AppGUID).Env).To(Equal(want))
	})

	It("drops the live app's with inherit_env false", func() {
		w.plan.InheritEnv = false
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		want := map[string]string{"SHARED": "manifest", "TOP": "params", "MANIFEST_ONLY": "manifest"}
		Expect(w.cf.AppByGUID(res.AppGUID).Env).To(Equal(want))
		Expect(count(w.cf.Calls(), "EnvVars")).To(BeZero())
	})
})

var _ = Describe("the quota check", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.seedLive(2, liveURL) // 2 × 256 MB; the manifest hints decide below
		w.plan.InstancesHint, w.plan.MemoryHint = ptr(3), ptr(512)
	})

	DescribeTable("fails before anything is created when a second copy does not fit",
		func(free platform.Headroom, where string) {
			w.cf.Free = free
			_, err := w.deploy()
			Expect(err).To(MatchError(ContainSubstring(where + " has 1535 MB of memory free")))
			Expect(err).To(MatchError(ContainSubstring("a second copy of shop needs 1536 MB")))
			Expect(err).To(MatchError(ContainSubstring("strategy: rolling")))
			Expect(mutations(w.cf.Calls())).To(BeEmpty())
			Expect(w.cf.AppNames()).To(Equal([]string{appName}))
		},
		Entry("in the org", platform.Headroom{OrgFreeMB: ptr(1535)}, "organization acme"),
		Entry("in the space", platform.Headroom{OrgFreeMB: ptr(1 << 20), SpaceFreeMB: ptr(1535)}, "space prod"),
	)

	It("goes ahead when exactly enough is free", func() {
		w.cf.Free = platform.Headroom{OrgFreeMB: ptr(1536), SpaceFreeMB: ptr(1536)}
		_, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
	})
})
