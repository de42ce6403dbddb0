package candidate_test

import (
	"errors"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

var urls = []string{liveURL, internalURL} // as the fake lists them: sorted

// liveUntouched asserts that nothing changed the live app or mapped anything to its routes.
func liveUntouched(w *world, live *fakeApp, routes []string) {
	calls := w.cf.Calls()
	var changes []string
	for _, c := range calls {
		if c.Err == nil && slices.Contains(mutating, c.Method) && slices.ContainsFunc(c.Args, func(a string) bool {
			return a == live.GUID || slices.ContainsFunc(routes, func(u string) bool { return a == w.cf.RouteGUID(u) })
		}) {
			changes = append(changes, c.String())
		}
	}
	ExpectWithOffset(1, changes).To(BeEmpty(), "calls that changed the live app or its routes")
	ExpectWithOffset(1, w.cf.Mapped(live.GUID)).To(Equal(routes))
	ExpectWithOffset(1, w.cf.AppByGUID(live.GUID).State).To(Equal("STARTED"))
	for _, u := range routes {
		ExpectWithOffset(1, w.cf.Serving(u)).To(Equal([]string{appName}), u)
	}
}

var _ = Describe("a failure before cutover", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL, internalURL)
	})

	DescribeTable("leaves the live app's routes alone, deletes the candidate and its temporary route, and names the step",
		func(step string, breakIt func(w *world), want string) {
			breakIt(w)
			res, err := w.deploy()
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(HavePrefix(step + ": "))
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(err.Error()).NotTo(ContainSubstring("cleaning up failed"))
			Expect(res.AppName).To(BeEmpty())

			liveUntouched(w, live, urls)
			calls := w.cf.Calls()
			cand := candidateOf(calls)
			Expect(w.cf.AppByGUID(cand)).To(BeNil(), "the candidate is deleted")
			Expect(w.cf.AppNames()).To(Equal([]string{appName}))
			Expect(w.cf.RouteURLs()).To(Equal(urls), "the temporary route is deleted")
			Expect(count(calls, "Stop", live.GUID)).To(BeZero())
		},
		Entry("CC refuses the manifest while the bits upload", "apply manifest", func(w *world) {
			w.cf.FailNth("ApplyManifest", 1, errors.New("CF-UnprocessableEntity: For application 'shop-candidate': Memory must be greater than 0MB"))
		}, "Memory must be greater than 0MB"),
		Entry("the upload fails while CC applies the manifest", "upload bits", func(w *world) {
			w.cf.FailNth("Upload", 1, errors.New("CF-ServiceUnavailable: upload"))
		}, "CF-ServiceUnavailable: upload"),
		Entry("staging fails", "stage", func(w *world) {
			w.cf.StageErr = errors.New("staging failed: NoAppDetectedError - An app was not successfully detected")
		}, "NoAppDetectedError"),
		Entry("staging outlasts its deadline", "stage", func(w *world) {
			w.cf.StageHangs = true
			w.plan.Timeouts.Staging = 200 * time.Millisecond
		}, "staging took longer than 200ms (params.staging_timeout)"),
		Entry("an instance crashes", "start", func(w *world) {
			w.cf.InstanceStates[candName] = []string{"RUNNING", "CRASHED"}
			w.cf.Crashes[candName] = []string{"instance 1: APP/PROC/WEB: Exited with status 137 (out of memory)"}
		}, "instance 1 crashed (instance 1: APP/PROC/WEB: Exited with status 137 (out of memory))"),
		Entry("instances are not running by the startup deadline", "start", func(w *world) {
			w.cf.InstanceStates[candName] = []string{"RUNNING", "STARTING"}
			w.plan.Timeouts.Startup = 300 * time.Millisecond
		}, "instances were not all running after 300ms (params.startup_timeout); instances: #0 RUNNING, #1 STARTING"),
		Entry("the temporary route is never served", "verify temporary route", func(w *world) {
			w.pr.FailPresent(candName, tempURL, errors.New("not confirmed: X-CF-App-Instance 0 of 3"))
		}, "X-CF-App-Instance 0 of 3"),
		Entry("a smoke check fails", "smoke checks", func(w *world) {
			w.plan.Checks = []probe.Check{{Path: "/health"}}
			w.pr.FailCheck(tempURL, errors.New("status 503, want 200"))
		}, "status 503, want 200"),
	)

	It("wraps the platform's error, so callers can tell what failed", func() {
		boom := errors.New("staging failed: BuildpackCompileFailed")
		w.cf.StageErr = boom
		_, err := w.deploy()
		Expect(err).To(MatchError(boom))
	})

	It("prints the crash reasons, each once with how often it happened", func() {
		w.cf.InstanceStates[candName] = []string{"CRASHED", "CRASHED"}
		w.cf.Crashes[candName] = []string{"instance 0: exited with status 1", "instance 1: exited with status 1", "instance 0: exited with status 1"}
		_, err := w.deploy()
		Expect(err).To(MatchError(ContainSubstring("instance 0 crashed (instance 0: exited with status 1)")))
		Expect(w.out.String()).To(ContainSubstring("crash: instance 0: exited with status 1 (2 times)"))
		Expect(w.out.String()).To(ContainSubstring("crash: instance 1: exited with status 1 (1 times)"))
	})

	It("with keep_failed keeps the candidate stopped as APP-failed, replacing an older one", func() {
		w.plan.KeepFailed = true
		older := w.cf.SeedApp("shop-failed", 1, map[string]string{roleKey: "failed"}, map[string]string{annApp: appName})
		w.cf.InstanceStates[candName] = []string{"CRASHED"}
		_, err := w.deploy()
		Expect(err.Error()).To(HavePrefix("start: "))
		Expect(err.Error()).NotTo(ContainSubstring("cleaning up failed"))

		cand := candidateOf(w.cf.Calls())
		failed := w.cf.AppNamed("shop-failed")
		Expect(failed).NotTo(BeNil())
		Expect(failed.GUID).To(Equal(cand))
		Expect(failed.State).To(Equal("STOPPED"))
		Expect(failed.Labels).To(HaveKeyWithValue(roleKey, "failed"))
		Expect(failed.Annotations).NotTo(HaveKey(annLease))
		Expect(w.cf.AppByGUID(older.GUID)).To(BeNil(), "the older APP-failed is deleted")
		Expect(w.cf.Mapped(cand)).To(BeEmpty())
		Expect(w.cf.AppNames()).To(Equal([]string{appName, "shop-failed"}))
		Expect(w.cf.RouteURLs()).To(Equal(urls))
		Expect(w.cf.Collisions).To(BeEmpty())
		liveUntouched(w, live, urls)
	})
})

// switchedBack asserts that, on every live route, the live app was proven present and the
// candidate unmapped and proven absent, in that order, after the candidate was mapped there and
// before the candidate was deleted; and that the live app was never stopped.
func switchedBack(w *world, live *fakeApp) {
	calls := w.cf.Calls()
	cand := candidateOf(calls)
	del := first(calls, "DeleteApp", cand)
	for _, u := range urls {
		r := w.cf.RouteGUID(u)
		mapped := first(calls, "Map", r, cand)
		present := last(calls, "AwaitPresent", u, live.GUID)
		unmap := last(calls, "Unmap", r, cand)
		absent := last(calls, "AwaitAbsent", u, cand)
		inOrder("switching back "+u, mapped, present, unmap, absent, del)
	}
	ExpectWithOffset(1, count(calls, "Stop", live.GUID)).To(BeZero(), "the live app is never stopped")
	ExpectWithOffset(1, w.cf.AppByGUID(live.GUID).State).To(Equal("STARTED"))
	ExpectWithOffset(1, w.cf.Mapped(live.GUID)).To(Equal(urls))
	ExpectWithOffset(1, w.cf.AppNames()).To(Equal([]string{appName}))
	ExpectWithOffset(1, w.cf.RouteURLs()).To(Equal(urls))
	for _, u := range urls {
		ExpectWithOffset(1, w.cf.Serving(u)).To(Equal([]string{appName}), u)
	}
}

var _ = Describe("a failure once traffic may have moved", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL, internalURL)
	})

	It("during cutover (the candidate never proven on a live route) switches traffic back, proven, before deleting the candidate", func() {
		w.pr.FailPresent(candName, internalURL, errors.New("not confirmed: 1 of 3 routers"))
		_, err := w.deploy()
		Expect(err.Error()).To(HavePrefix("cut over: "))
		Expect(err).To(MatchError(ContainSubstring("1 of 3 routers")))
		Expect(err.Error()).NotTo(ContainSubstring("cleaning up failed"))
		switchedBack(w, live)
	})

	It("after cutover (the observation window fails) maps the live app back, proven, before deleting the candidate", func() {
		w.plan.Observe = &bluegreen.Observation{Duration: 2 * time.Second, Interval: 10 * time.Millisecond,
			FailureLimit: 1, Check: probe.Check{Path: "/health"}}
		w.pr.FailCheck(internalURL, errors.New("status 500"))
		_, err := w.deploy()
		Expect(err.Error()).To(HavePrefix("observe: "))
		Expect(err).To(MatchError(ContainSubstring("params.observe.failure_limit 1")))
		Expect(err.Error()).NotTo(ContainSubstring("cleaning up failed"))

		calls := w.cf.Calls()
		for _, u := range urls {
			r := w.cf.RouteGUID(u)
			// traffic had really moved: the live app was unmapped, and is mapped back after that
			inOrder("unmapped then mapped back "+u, first(calls, "Unmap", r, live.GUID),
				first(calls, "AwaitAbsent", u, live.GUID), last(calls, "Map", r, live.GUID),
				last(calls, "AwaitPresent", u, live.GUID))
		}
		switchedBack(w, live)
	})

	It("keeps the candidate, and says so, when switching back fails: it may be the only one serving", func() {
		cause := errors.New("not confirmed: 1 of 3 routers")
		switchErr := errors.New("live app not confirmed on 3 routers")
		w.pr.FailPresent(candName, internalURL, cause)
		w.pr.FailPresent(appName, internalURL, switchErr)

		_, err := w.deploy()
		Expect(err).To(MatchError(cause))
		Expect(err.Error()).To(HavePrefix("cut over: "))
		Expect(err).To(MatchError(ContainSubstring(switchErr.Error())))
		Expect(err).To(MatchError(ContainSubstring("the candidate is kept")))
		Expect(count(w.cf.Calls(), "DeleteApp")).To(BeZero())
		Expect(count(w.cf.Calls(), "Stop", live.GUID)).To(BeZero())
	})

	It("reports the cause and both cleanup errors when removing the temporary route and the candidate both fail", func() {
		cause := errors.New("staging failed: StagingError - Staging error: boom")
		routeErr := errors.New("CF-ServiceUnavailable: delete route")
		deleteErr := errors.New("CF-ServiceUnavailable: delete app")
		w.cf.FailNth("Stage", 1, cause)
		w.cf.FailNth("DeleteRoute", 1, routeErr)
		w.cf.FailNth("DeleteApp", 1, deleteErr)

		_, err := w.deploy()
		Expect(err).To(MatchError(cause))
		Expect(err).To(MatchError(ContainSubstring(routeErr.Error())))
		Expect(err).To(MatchError(ContainSubstring(deleteErr.Error())))
	})

	It("while finalizing, after the old app was stopped, never leaves a live route without a running app", func() {
		w.cf.FailNth("AppsWithLabel", 1, errors.New("CF-ServiceUnavailable: list apps"))
		_, err := w.deploy()
		Expect(err).To(MatchError(ContainSubstring("CF-ServiceUnavailable: list apps")))
		for _, u := range urls {
			Expect(w.cf.Serving(u)).NotTo(BeEmpty(), "nothing serves %s: %v", u, mutations(w.cf.Calls()))
		}
	})

	It("when the temporary route cannot be deleted while the old app leaves, deletes it at finalize and succeeds", func() {
		w.cf.FailNth("DeleteRoute", 1, errors.New("CF-ServiceUnavailable: delete route"))
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
		Expect(w.cf.RouteURLs()).To(ConsistOf(urls), "the temporary route is gone")
		Expect(w.out.String()).To(ContainSubstring("stays until finalize: CF-ServiceUnavailable: delete route"))
	})

	It("when the temporary route cannot be deleted, leaves the new version serving every route, still under its lease, without panicking", func() {
		// once while the old app leaves the routes, and again at finalize
		w.cf.FailNth("DeleteRoute", 1, errors.New("CF-ServiceUnavailable: delete route"))
		w.cf.FailNth("DeleteRoute", 2, errors.New("CF-ServiceUnavailable: delete route"))
		deploy := func() { _, _ = w.deploy() }
		Expect(deploy).NotTo(Panic())
		cand := w.cf.AppNamed(candName)
		Expect(cand).NotTo(BeNil(), "the candidate keeps the lease until the temporary route is gone")
		Expect(cand.GUID).NotTo(Equal(live.GUID))
		for _, u := range urls {
			Expect(w.cf.Serving(u)).To(Equal([]string{candName}), u)
		}
	})
})

var _ = Describe("a failure after taking the lease, before building", func() {
	It("releases the lease, so the next deploy need not wait for it to expire", func() {
		w := newWorld()
		w.seedLive(1, liveURL)
		// AppByName: 1 finds the live app, 2 reads it again once the lease is held
		w.cf.FailNth("AppByName", 2, errors.New("CF-ServiceUnavailable: list apps"))
		_, err := w.deploy()
		Expect(err).To(MatchError(ContainSubstring("CF-ServiceUnavailable")))
		Expect(w.cf.AppNamed(candName)).To(BeNil(), "the candidate (the lease) is left behind")
	})
})
