package candidate_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/candidate"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// errSignal is the cause os/signal gives the context it cancels on SIGTERM.
var errSignal = errors.New("terminated signal received")

const abortedBy = "aborted (terminated signal received) at "

// arming decides when an abort fires during a deploy over the live app.
type arming func(w *world, live *fakeApp, abort func())

// afterCall aborts once the first call of method matching args has taken effect, before CC's
// answer comes back: the abort arrives while a request is on its way.
func afterCall(method string, args func(w *world, live *fakeApp) []string) arming {
	return func(w *world, live *fakeApp, abort func()) {
		want := args(w, live)
		var once sync.Once
		w.cf.After(method, func(c Call) {
			if c.Matches(method, want...) {
				once.Do(abort)
			}
		})
	}
}

// afterDelay aborts while the deploy waits in a step that takes longer than d.
func afterDelay(d time.Duration) arming {
	return func(_ *world, _ *fakeApp, abort func()) { time.AfterFunc(d, abort) }
}

// abortingRun runs the engine once with an abort armed as SIGTERM would cancel out's context.
func abortingRun[R any](w *world, live *fakeApp, arm arming, run func(context.Context) (R, error)) (R, error) {
	w.tl = bluegreen.NewTimeline(w.out)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	arm(w, live, func() { cancel(errSignal) })
	return run(ctx)
}

func (w *world) deployAborting(live *fakeApp, arm arming) (bluegreen.Result, error) {
	return abortingRun(w, live, arm, func(ctx context.Context) (bluegreen.Result, error) {
		return candidate.Deploy(ctx, w.cf, w.pr, w.plan, w.tl)
	})
}

var _ = Describe("a blue-green deploy aborted (SIGTERM)", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL, internalURL)
	})

	serving := func() string { return fmt.Sprintf("%s (%s) serves alone, as before", appName, live.GUID) }

	DescribeTable("before any live traffic moved: removes the candidate and its temporary route, releases the lease, leaves the live app untouched",
		func(step string, arm arming, setup func(w *world)) {
			setup(w)
			_, err := w.deployAborting(live, arm)
			Expect(err).To(MatchError(bluegreen.ErrAborted))
			Expect(err.Error()).To(Equal(abortedBy + step + ": no live traffic had moved; " + candName +
				" and its temporary route were removed: " + serving()))
			liveUntouched(w, live, urls)
			Expect(w.cf.AppNames()).To(Equal([]string{appName}), "the candidate, which is the lease, is removed")
			Expect(w.cf.RouteURLs()).To(Equal(urls), "the temporary route is removed")
		},
		Entry("once the lease is taken (stopping at the next step)", "resolve routes",
			afterCall("CreateApp", func(*world, *fakeApp) []string { return []string{spaceGUID, candName} }), func(*world) {}),
		Entry("once the lease is taken, while the live app is read again (the read cut short)", "take the lease",
			afterCall("CreateApp", func(*world, *fakeApp) []string { return []string{spaceGUID, candName} }), func(w *world) {
				w.cf.FailNth("AppByName", 2, context.Canceled) // 1 found the live app before the lease
			}),
		Entry("while staging", "stage", afterDelay(100*time.Millisecond), func(w *world) { w.cf.StageHangs = true }),
		Entry("while the instances start", "start", afterDelay(100*time.Millisecond), func(w *world) {
			w.cf.InstanceStates[candName] = []string{"RUNNING", "STARTING"}
		}),
		Entry("once started (stopping before the temporary route is verified)", "verify temporary route",
			afterCall("Start", func(*world, *fakeApp) []string { return nil }), func(*world) {}),
		Entry("while the smoke checks run", "smoke checks", afterDelay(100*time.Millisecond), func(w *world) {
			w.plan.Checks = []probe.Check{{Path: "/health"}}
			w.pr.HoldChecks()
		}),
	)

	DescribeTable("once traffic may have moved: switches it back, proven on every router, before removing the candidate",
		func(step string, arm arming, setup func(w *world)) {
			setup(w)
			_, err := w.deployAborting(live, arm)
			Expect(err).To(MatchError(bluegreen.ErrAborted))
			Expect(err.Error()).To(Equal(abortedBy + step + ": traffic was switched back to " + appName +
				", proven on every router; " + candName + " and its temporary route were removed: " + serving()))
			switchedBack(w, live)
		},
		Entry("mid cut over, the candidate mapped to every live route", "cut over",
			afterCall("Map", func(w *world, _ *fakeApp) []string { return []string{w.cf.RouteGUID(internalURL)} }), func(*world) {}),
		Entry("mid cut over, the live app unmapped from every route", "cut over",
			afterCall("Unmap", func(w *world, live *fakeApp) []string { return []string{w.cf.RouteGUID(internalURL), live.GUID} }), func(*world) {}),
		Entry("while draining the old app", "drain", afterDelay(300*time.Millisecond), func(w *world) { w.plan.Drain = 5 * time.Second }),
		Entry("while observing", "observe", afterDelay(300*time.Millisecond), func(w *world) {
			w.plan.Observe = &bluegreen.Observation{Duration: 5 * time.Second, Interval: 20 * time.Millisecond, Check: probe.Check{Path: "/health"}}
		}),
	)

	It("switching back a route the live app was just unmapped from, proves it gone before mapping it again: "+
		"a removal still on its way to a router would land after the proof and take it off again", func() {
		internal := w.cf.RouteGUID(internalURL)
		_, err := w.deployAborting(live, afterCall("Unmap", func(*world, *fakeApp) []string { return []string{internal, live.GUID} }))
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		calls := w.cf.Calls()
		for _, u := range urls {
			r := w.cf.RouteGUID(u)
			inOrder("reclaiming "+u, last(calls, "Unmap", r, live.GUID), last(calls, "AwaitAbsent", u, live.GUID),
				last(calls, "Map", r, live.GUID), last(calls, "AwaitPresent", u, live.GUID))
		}
	})

	It("starts no change once aborted: a cut over stopped after its first route maps nothing more", func() {
		route := w.cf.RouteGUID(liveURL)
		_, err := w.deployAborting(live, afterCall("Map", func(*world, *fakeApp) []string { return []string{route} }))
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		calls := w.cf.Calls()
		cand := candidateOf(calls)
		Expect(count(calls, "Map", w.cf.RouteGUID(internalURL), cand)).To(BeZero())
		inOrder("switching back "+liveURL, first(calls, "Map", route, cand), last(calls, "AwaitPresent", liveURL, live.GUID),
			last(calls, "Unmap", route, cand), last(calls, "AwaitAbsent", liveURL, cand), first(calls, "DeleteApp", cand))
		Expect(w.cf.AppNames()).To(Equal([]string{appName}))
		for _, u := range urls {
			Expect(w.cf.Serving(u)).To(Equal([]string{appName}), u)
		}
	})

	It("once finalize began (the old app stopped), finishes it instead of switching back to a stopped app", func() {
		res, err := w.deployAborting(live, afterCall("Stop", func(_ *world, live *fakeApp) []string { return []string{live.GUID} }))
		calls := w.cf.Calls()
		cand := candidateOf(calls)
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		Expect(err.Error()).To(Equal(abortedBy + "finalize: " + candName + " already served every route alone, so finalize was finished: it is " +
			appName + " (" + cand + ") now, the old version stopped as shop-previous"))
		Expect(res.AppGUID).To(Equal(cand))
		Expect(first(calls, "Map", "", live.GUID)).To(Equal(-1), "the stopped app was mapped again")
		Expect(w.cf.AppNamed(appName).GUID).To(Equal(cand))
		Expect(w.cf.AppNamed("shop-previous").GUID).To(Equal(live.GUID))
		Expect(w.cf.AppNamed("shop-previous").State).To(Equal("STOPPED"))
		Expect(w.cf.AppNames()).To(Equal([]string{appName, "shop-previous"}))
		Expect(w.cf.RouteURLs()).To(Equal(urls))
		for _, u := range urls {
			Expect(w.cf.Serving(u)).To(Equal([]string{appName}), u)
		}
	})

	It("while waiting for another deploy's lease, stops waiting and changes nothing", func() {
		other := w.seedCandidate("started", time.Now().Add(time.Hour))
		w.plan.Timeouts.Lease = 5 * time.Second
		began := time.Now()
		_, err := w.deployAborting(live, afterDelay(300*time.Millisecond))
		Expect(time.Since(began)).To(BeNumerically("<", 2*time.Second))
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		Expect(err.Error()).To(Equal(abortedBy + "take the lease: nothing was changed"))
		for _, m := range mutations(w.cf.Calls()) {
			Expect(m).To(Equal("CreateApp(" + spaceGUID + ", " + candName + ")"))
		}
		Expect(w.cf.AppByGUID(other.GUID)).NotTo(BeNil(), "another deploy's lease is not ours to touch")
		liveUntouched(w, live, urls)
	})

	It("while healing an interrupted deploy, lets the healing finish and takes no lease", func() {
		stale := w.seedCandidate("cutover", time.Now().Add(-time.Minute))
		w.cf.SeedRoute(tempURL, stale.GUID)
		liveRoute := w.cf.RouteGUID(liveURL)
		Expect(w.cf.Map(context.Background(), liveRoute, stale.GUID, "")).To(Succeed())
		_, err := w.deployAborting(live, afterCall("Map", func(_ *world, live *fakeApp) []string { return []string{liveRoute, live.GUID} }))
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		Expect(err.Error()).To(Equal(abortedBy + "take the lease: an interrupted deploy was healed (shop-candidate at step cutover), nothing else was changed"))
		Expect(w.cf.AppByGUID(stale.GUID)).To(BeNil())
		Expect(w.cf.AppNames()).To(Equal([]string{appName}))
		Expect(w.cf.Serving(liveURL)).To(Equal([]string{appName}))
		Expect(w.cf.RouteURLs()).To(Equal(urls))
	})

	It("keeps the candidate, and says the next run heals it, when switching back fails", func() {
		w.pr.FailPresent(appName, internalURL, errors.New("live app not confirmed on 3 routers"))
		_, err := w.deployAborting(live, afterCall("Map", func(w *world, _ *fakeApp) []string { return []string{w.cf.RouteGUID(internalURL)} }))
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		Expect(err.Error()).To(HavePrefix(abortedBy + "cut over: switching traffic back failed ("))
		Expect(err.Error()).To(ContainSubstring("live app not confirmed on 3 routers"))
		Expect(err.Error()).To(HaveSuffix("; " + candName + " is kept, and the next run heals it"))
		Expect(count(w.cf.Calls(), "DeleteApp")).To(BeZero())
		Expect(count(w.cf.Calls(), "Stop", live.GUID)).To(BeZero())
	})

	It("releases the lease: the next deploy goes ahead at once, healing nothing", func() {
		w.cf.StageHangs = true
		_, err := w.deployAborting(live, afterDelay(100*time.Millisecond))
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		w.cf.StageHangs = false
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Healed).To(BeEmpty())
		Expect(count(w.cf.Calls(), "CreateApp", spaceGUID, candName)).To(Equal(2), "the second deploy waited for a lease")
	})

	It("reports a failure the abort only arrived during the recovery of as that failure", func() {
		boom := errors.New("staging failed: BuildpackCompileFailed")
		w.cf.StageErr = boom
		_, err := w.deployAborting(live, afterCall("DeleteRoute", func(*world, *fakeApp) []string { return nil }))
		Expect(err).To(MatchError(boom))
		Expect(err).NotTo(MatchError(bluegreen.ErrAborted))
		Expect(w.cf.AppNames()).To(Equal([]string{appName}), "the recovery was cut short")
	})
})
