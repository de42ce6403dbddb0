package candidate_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

var _ = Describe("a migration before the new version starts", func() {
	var (
		w    *world
		live *fakeApp
	)
	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL)
		w.cf.SeedServiceInstance("db", false)
		w.cf.SeedBinding(live.GUID, "db", "", nil)
		w.plan.Migration = &bluegreen.Migration{Name: "migrate", Command: "./versioned migrate", Timeout: 2 * time.Second}
	})

	It("runs once on the candidate's droplet, once its bindings are carried over, before it starts", func() {
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		runs := w.cf.TaskRuns()
		Expect(runs).To(HaveLen(1))
		Expect(runs[0].AppGUID).To(Equal(res.AppGUID))
		Expect(runs[0].DropletGUID).To(Equal(res.DropletGUID))
		Expect(runs[0].Name).To(HavePrefix("migrate-"))
		calls := w.cf.Calls()
		inOrder("bind, migrate, start", last(calls, "Bind", res.AppGUID), first(calls, "RunTask", res.AppGUID),
			first(calls, "Start", res.AppGUID))
		Expect(res.Migration.State).To(Equal(platform.TaskSucceeded))
		Expect(w.out.String()).To(ContainSubstring("[APP/TASK/" + runs[0].Name + " OUT] running ./versioned migrate"))
	})

	It("fails the deploy before any cutover when the migration fails, with CC's reason", func() {
		w.plan.Migration.Command = "./versioned migrate --exit 3"
		_, err := w.deploy()
		Expect(err.Error()).To(HavePrefix("migrate: migration task migrate-"))
		Expect(err).To(MatchError(ContainSubstring("Exited with status 3")))
		Expect(count(w.cf.Calls(), "Start", candidateOf(w.cf.Calls()))).To(BeZero())
		liveUntouched(w, live, []string{liveURL})
		Expect(w.cf.AppNames()).To(Equal([]string{appName}))
	})

	It("cancels a migration that outlasts its timeout", func() {
		w.plan.Migration.Command, w.plan.Migration.Timeout = "./versioned migrate --sleep 1m", 300*time.Millisecond
		_, err := w.deploy()
		Expect(err).To(MatchError(ContainSubstring("the migration did not end within 300ms (params.migration.timeout)")))
		Expect(count(w.cf.Calls(), "CancelTask")).To(Equal(1))
		liveUntouched(w, live, []string{liveURL})
	})

	It("cancels the migration when the deploy is aborted, and leaves the live app serving", func() {
		w.plan.Migration.Command, w.plan.Migration.Timeout = "./versioned migrate --sleep 1m", time.Minute
		_, err := w.deployAborting(live, afterCall("RunTask", func(*world, *fakeApp) []string { return nil }))
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		Expect(err.Error()).To(HavePrefix(abortedBy + "migrate: no live traffic had moved"))
		Expect(count(w.cf.Calls(), "CancelTask")).To(Equal(1))
		liveUntouched(w, live, []string{liveURL})
	})
})
