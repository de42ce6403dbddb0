package candidate_test

import (
	"context"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the lease", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL)
	})

	Context("held by another deploy (lease-expires in the future)", func() {
		var other *fakeApp

		BeforeEach(func() {
			other = w.seedCandidate("started", time.Now().Add(time.Hour))
			w.cf.SeedRoute(tempURL, other.GUID)
		})

		It("makes the deploy wait, then fail after lease_timeout with a message naming params.lease_timeout", func() {
			began := time.Now()
			_, err := w.deploy()
			took := time.Since(began)
			Expect(err).To(MatchError(ContainSubstring("params.lease_timeout")))
			Expect(err).To(MatchError(ContainSubstring("another deploy (interrupted) holds the lease on shop")))
			Expect(took).To(BeNumerically(">=", w.plan.Timeouts.Lease))
			Expect(took).To(BeNumerically("<", w.plan.Timeouts.Lease+2*time.Second))

			calls := w.cf.Calls()
			Expect(count(calls, "CreateApp", spaceGUID, candName)).To(BeNumerically(">=", 2), "it tried again after waiting")
			Expect(w.out.String()).To(ContainSubstring("waiting for its lease"))
			var changes []string
			for _, m := range mutations(calls) {
				if m != "CreateApp("+spaceGUID+", "+candName+")" {
					changes = append(changes, m)
				}
			}
			Expect(changes).To(BeEmpty(), "a held lease is not touched")
			Expect(w.cf.AppByGUID(other.GUID)).NotTo(BeNil())
			Expect(w.cf.Mapped(other.GUID)).To(Equal([]string{tempURL}))
			liveUntouched(w, live, []string{liveURL})
		})

		It("goes ahead once the other deploy lets go while it waits", func() {
			w.plan.Timeouts.Lease = 5 * time.Second
			release := time.AfterFunc(300*time.Millisecond, func() {
				_ = w.cf.DeleteApp(context.Background(), other.GUID)
			})
			defer release.Stop()
			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Healed).To(BeEmpty())
			Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
		})
	})

	Context("left by an interrupted deploy (lease-expires in the past)", func() {
		expired := time.Now().Add(-time.Minute)

		It("deletes a candidate at step started with its temporary route, then deploys", func() {
			stale := w.seedCandidate("started", expired)
			staleTemp := w.cf.SeedRoute(tempURL, stale.GUID)

			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Healed).To(ConsistOf(ContainSubstring("step started")))

			calls := w.cf.Calls()
			created := last(calls, "CreateApp", spaceGUID, candName)
			Expect(res.AppGUID).NotTo(Equal(stale.GUID))
			inOrder("healing", first(calls, "DeleteRoute", staleTemp), first(calls, "DeleteApp", stale.GUID), created)
			Expect(first(calls, "Unmap", "", live.GUID)).To(BeNumerically(">", created), "the live app keeps its route while healing")
			Expect(w.cf.AppByGUID(stale.GUID)).To(BeNil())
			Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
			Expect(w.cf.AppNamed("shop-previous").GUID).To(Equal(live.GUID))
			Expect(w.cf.RouteURLs()).To(Equal([]string{liveURL}))
		})

		DescribeTable("gives a live route held by a candidate at step cutover back to the live app, proven, before deleting it",
			func(liveStillMapped bool) {
				stale := w.seedCandidate("cutover", expired)
				w.cf.SeedRoute(tempURL, stale.GUID)
				liveRoute := w.cf.RouteGUID(liveURL)
				Expect(w.cf.Map(context.Background(), liveRoute, stale.GUID, "")).To(Succeed())
				if !liveStillMapped {
					Expect(w.cf.Unmap(context.Background(), liveRoute, live.GUID)).To(Succeed())
				}
				seeded := len(w.cf.Calls())

				res, err := w.deploy()
				Expect(err).NotTo(HaveOccurred())
				Expect(res.Healed).To(ConsistOf(ContainSubstring("step cutover")))

				calls := w.cf.Calls()[seeded:]
				del := first(calls, "DeleteApp", stale.GUID)
				inOrder("giving "+liveURL+" back", first(calls, "Map", liveRoute, live.GUID),
					first(calls, "AwaitPresent", liveURL, live.GUID), first(calls, "Unmap", liveRoute, stale.GUID),
					first(calls, "AwaitAbsent", liveURL, stale.GUID), del, last(calls, "CreateApp", spaceGUID, candName))
				Expect(first(calls, "Unmap", liveRoute, live.GUID)).To(BeNumerically(">", del),
					"the live app is unmapped only by the new deploy's cutover")
				Expect(count(calls, "Stop", stale.GUID)).To(BeZero())

				By("then deploying as usual")
				Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
				Expect(w.cf.AppNamed("shop-previous").GUID).To(Equal(live.GUID))
				Expect(w.cf.Serving(liveURL)).To(Equal([]string{appName}))
				Expect(w.cf.AppByGUID(stale.GUID)).To(BeNil())
				Expect(w.cf.RouteURLs()).To(Equal([]string{liveURL}))
			},
			Entry("while the live app still holds the route", true),
			Entry("after the interrupted cutover had unmapped the live app", false),
		)

		It("finishes a candidate at step finalize (APP, old app retired as previous), then deploys", func() {
			w.plan.KeepPrevious = 2
			stale := w.seedCandidate("finalize", expired)
			w.cf.SeedRoute(tempURL, stale.GUID)
			liveRoute := w.cf.RouteGUID(liveURL)
			// at finalize, traffic had moved: the candidate holds the route, the old app is gone from it
			Expect(w.cf.Map(context.Background(), liveRoute, stale.GUID, "")).To(Succeed())
			Expect(w.cf.Unmap(context.Background(), liveRoute, live.GUID)).To(Succeed())
			seeded := len(w.cf.Calls())

			res, err := w.deploy()
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Healed).To(ConsistOf(ContainSubstring("step finalize")))

			calls := w.cf.Calls()[seeded:]
			promoted := first(calls, "Update", stale.GUID, appName)
			inOrder("finishing", first(calls, "Stop", live.GUID), first(calls, "Update", live.GUID, "shop-previous"),
				promoted, last(calls, "CreateApp", spaceGUID, candName))
			Expect(first(calls, "DeleteApp", stale.GUID)).To(Equal(-1), "the healed version is kept")
			Expect(first(calls, "Unmap", liveRoute, stale.GUID)).To(BeNumerically(">", last(calls, "CreateApp", spaceGUID, candName)),
				"the healed version keeps the route until the new deploy's cutover")

			By("then deploying over the healed version")
			Expect(res.PreviousGUID).To(Equal(stale.GUID))
			Expect(w.cf.Collisions).To(BeEmpty())
			Expect(w.cf.AppNamed(appName).GUID).To(Equal(res.AppGUID))
			Expect(w.cf.AppNamed("shop-previous").GUID).To(Equal(stale.GUID))
			Expect(w.cf.AppNamed("shop-previous").Labels).To(HaveKeyWithValue(roleKey, "previous"))
			Expect(w.cf.AppNamed("shop-previous-2").GUID).To(Equal(live.GUID))
			Expect(w.cf.AppNamed("shop-previous-2").State).To(Equal("STOPPED"))
			Expect(w.cf.Serving(liveURL)).To(Equal([]string{appName}))
			Expect(w.cf.RouteURLs()).To(Equal([]string{liveURL}))
		})
	})

	It("is never renewed onto the promoted app when a renewal overlaps a slow promotion", func() {
		// CC took its time answering the promotion (PATCH /v3/apps/:guid): the rename had taken
		// effect, the response had not come back. The heartbeat (every LeaseTTL/3) must not renew
		// the lease under the candidate's old name meanwhile.
		var promoting atomic.Bool
		renewed := make(chan struct{}, 1)
		w.cf.After("Update", func(c Call) {
			if role := c.UpdLabels[roleKey]; c.Args[1] == appName && role != nil && *role == "live" {
				promoting.Store(true)
				select {
				case <-renewed:
				case <-time.After(w.plan.LeaseTTL):
				}
				return
			}
			if promoting.Load() {
				select {
				case renewed <- struct{}{}:
				default:
				}
			}
		})
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		app := w.cf.AppNamed(appName)
		Expect(app).NotTo(BeNil(), "no app is named %s; apps: %v", appName, w.cf.AppNames())
		Expect(app.GUID).To(Equal(res.AppGUID))
		Expect(app.Annotations).NotTo(HaveKey(annLease))
		Expect(w.cf.AppNamed(candName)).To(BeNil())
	})
})

var _ = Describe("the lease while finalizing", func() {
	It("is renewed until the candidate is renamed, however long retiring the old app takes", func() {
		w := newWorld()
		live := w.seedLive(2, liveURL)
		var leaseAfterRetiring time.Time
		w.cf.After("Stop", func(c Call) {
			if c.Args[0] != live.GUID {
				return
			}
			time.Sleep(2 * w.plan.LeaseTTL) // CC answered the stop slowly (a 429 with Retry-After, say)
			cand := w.cf.AppNamed(candName)
			Expect(cand).NotTo(BeNil())
			leaseAfterRetiring, _ = time.Parse(time.RFC3339Nano, cand.Annotations[annLease])
		})
		_, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(leaseAfterRetiring).To(BeTemporally(">", time.Now().Add(-w.plan.LeaseTTL/2)),
			"a deploy waiting for the lease would have found it expired and healed this one")
	})
})
