package rollout_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/rollout"
)

// attempts counts the calls to method with args, failed ones included.
func attempts(calls []fakecf.Call, method string, args ...string) int {
	n := 0
	for _, c := range calls {
		if c.Matches(method, args...) {
			n++
		}
	}
	return n
}

var _ = Describe("a rolling deploy's pace", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() { w, live = rollingWorld(2) })

	oldProcess := func() string { return oldProcessOf(live) }

	It("is verified by default: CC gets a canary of one instance, which is proven on every route and smoke-checked before it goes on", func() {
		w.plan.Checks = []probe.Check{{Path: "/health"}}
		res, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		created := first(calls, "CreateDeployment", live.GUID, "canary")
		Expect(created).To(BeNumerically(">=", 0), "CC was not asked for a canary deployment")
		newProcess := w.cf.Deployments()[0].NewProcesses[0]
		inOrder("create, prove the first new instance, check it, then let CAPI go on", created,
			first(calls, "AwaitPresent", liveURL, newProcess), first(calls, "RunCheck", liveURL, "/health"),
			first(calls, "ContinueDeployment"))
		inOrder("then the end is proven", first(calls, "ContinueDeployment"), last(calls, "AwaitAbsent", liveURL, oldProcess()))
		Expect(res.Status).To(Equal(string(platform.ReasonDeployed)))
		Expect(w.out.String()).To(ContainSubstring("paced rolling: 1 new instance serve shop.apps.example.com on every router"))
		Expect(w.out.String()).To(ContainSubstring("CAPI goes on at max_in_flight 2"))
	})

	It("with pace capi, creates CAPI's own rolling deployment and has nothing to continue", func() {
		w.plan.Pace = rollout.PaceCAPI
		_, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		Expect(first(calls, "CreateDeployment", live.GUID, "rolling")).To(BeNumerically(">=", 0))
		Expect(count(calls, "ContinueDeployment")).To(BeZero())
	})

	It("cancels the deployment, never letting CAPI go on, when the first new instance fails its smoke check", func() {
		w.plan.Checks = []probe.Check{{Path: "/health"}}
		w.pr.FailCheck(liveURL, errors.New("503 Service Unavailable"))
		_, err := deployRolling(w)
		Expect(err).To(MatchError(ContainSubstring("paced rolling: smoke check")))
		calls := w.cf.Calls()
		Expect(count(calls, "ContinueDeployment")).To(BeZero(), "CAPI went on to stop old instances")
		Expect(first(calls, "CancelDeployment")).To(BeNumerically(">=", 0))
		Expect(w.cf.Deployments()[0].Reason).To(Equal(platform.ReasonCanceled))
	})

	It("paces the rollback deployment too, when the new version fails after CAPI finished", func() {
		w.plan.Observe = &bluegreen.Observation{Duration: 100e6, Interval: 10e6, FailureLimit: 0, Check: probe.Check{Path: "/health"}}
		w.pr.FailCheck(liveURL, errors.New("500 Internal Server Error"))
		_, err := deployRolling(w)
		Expect(err).To(MatchError(ContainSubstring("rolled back to revision 1, verified")))
		calls := w.cf.Calls()
		Expect(count(calls, "CreateDeployment", live.GUID, "canary")).To(Equal(2), "the rollback was not paced")
		Expect(count(calls, "ContinueDeployment")).To(Equal(2))
	})

	It("proves the end once, with the proof it began while CAPI rolled on, when that proof holds", func() {
		w.pr.Patient()
		_, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		Expect(attempts(calls, "AwaitAbsent", liveURL, oldProcess())).To(Equal(1), "the end was proven twice")
		inOrder("begun before CC reported DEPLOYED", first(calls, "ContinueDeployment"), last(calls, "AwaitAbsent", liveURL, oldProcess()))
	})

	It("proves the end again, after DEPLOYED, when the proof begun early gave up", func() {
		_, err := deployRolling(w) // the fake prober answers at once: the early proof fails, old is still there
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		Expect(attempts(calls, "AwaitAbsent", liveURL, oldProcess())).To(Equal(2))
		Expect(count(calls, "AwaitAbsent", liveURL, oldProcess())).To(Equal(1), "proven once DEPLOYED")
	})
})
