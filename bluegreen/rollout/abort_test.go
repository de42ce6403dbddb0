package rollout_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/rollout"
)

var _ = Describe("a rolling or canary deploy aborted (SIGTERM)", func() {
	var (
		w    *world
		live *fakeApp
		fd   *fakecf.Foundation
	)

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL)
		w.cf.SetEnv(live.GUID, map[string]string{"VERSION": "v1", "KEPT": "yes"})
		w.plan.Strategy, w.plan.MaxInFlight, w.plan.WaitActive = platform.StrategyRolling, 1, true
		w.plan.ManifestEnv = map[string]string{"VERSION": "v2", "ADDED": "by the manifest"}
		fd = w.cf
	})

	roll := func(d time.Duration) (bluegreen.Result, error) { return w.roll(d) }
	oldProcess := func() string { return oldProcessOf(live) }
	envRestored := func() {
		ExpectWithOffset(1, w.cf.AppByGUID(live.GUID).Env).To(Equal(map[string]string{"VERSION": "v1", "KEPT": "yes"}),
			"the env vars the manifest changed are put back")
	}

	It("while staging, creates no deployment and puts back the env vars the manifest changed", func() {
		w.cf.StageHangs = true
		_, err := roll(100 * time.Millisecond)
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		Expect(err.Error()).To(Equal(abortedBy + "stage: no deployment was created and the env vars the manifest changed were put back: revision 1 serves, as before"))
		Expect(fd.Deployments()).To(BeEmpty())
		envRestored()
	})

	DescribeTable("while the deployment is ACTIVE, cancels it, waits for CANCELED, proves the old version serves alone, and puts back the env vars",
		func(step string, continued int, setup func()) {
			setup()
			_, err := roll(400 * time.Millisecond)
			deps := fd.Deployments()
			Expect(deps).To(HaveLen(1))
			dep := deps[0]
			Expect(err).To(MatchError(bluegreen.ErrAborted))
			Expect(err.Error()).To(Equal(abortedBy + step + ": deployment " + dep.GUID + " was cancelled (CANCELED) and the env vars the manifest changed" +
				" were put back: revision 1 serves alone, as before, proven on every router"))
			Expect(dep.Reason).To(Equal(platform.ReasonCanceled))

			calls := w.cf.Calls()
			newProcess := dep.NewProcesses[0]
			cancelled := first(calls, "CancelDeployment", dep.GUID)
			inOrder("cancel, then prove", cancelled, last(calls, "AwaitPresent", liveURL, oldProcess()),
				last(calls, "AwaitAbsent", liveURL, newProcess), last(calls, "SetEnvVars", live.GUID))
			Expect(count(calls, "ContinueDeployment")).To(Equal(continued), "a pause went on after the abort")
			Expect(count(calls, "CreateDeployment")).To(Equal(1), "nothing else was deployed")
			envRestored()
		},
		Entry("rolling out, paced, past its proven first instance", "roll out", 1, func() {}),
		Entry("rolling out, pace capi", "roll out", 0, func() { w.plan.Pace = rollout.PaceCAPI }),
		Entry("holding a canary step", "roll out", 0, func() {
			w.plan.Strategy, w.plan.CanaryPause = platform.StrategyCanary, 5*time.Second
		}),
	)

	It("once CAPI finished the deployment, leaves the new revision serving alone: a rollback would outlast the grace before SIGKILL", func() {
		fd.Finishes = true
		w.plan.Observe = &bluegreen.Observation{Duration: 5 * time.Second, Interval: 20 * time.Millisecond, Check: probe.Check{Path: "/health"}}
		_, err := roll(300 * time.Millisecond)
		deps := fd.Deployments()
		Expect(deps).To(HaveLen(1), "a rollback deployment was created")
		Expect(err).To(MatchError(bluegreen.ErrAborted))
		Expect(err.Error()).To(Equal(abortedBy + "observe: deployment " + deps[0].GUID +
			" had finished: revision 2 serves alone (its observation was cut short); action: rollback goes back to revision 1"))
		calls := w.cf.Calls()
		Expect(count(calls, "CancelDeployment")).To(BeZero())
		Expect(count(calls, "SetEnvVars")).To(BeZero(), "the new revision's env vars were changed")
		build := last(calls, "Update", live.GUID)
		Expect(build).To(BeNumerically(">=", 0), "the app does not say which build deployed it")
		Expect(calls[build].UpdAnnotations).To(HaveKey(annDeployed))
	})
})
