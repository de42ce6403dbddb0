package rollout_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

var _ = Describe("the lease on a deployment a run creates", func() {
	var (
		w    *world
		live *fakeApp
	)

	BeforeEach(func() { w, live = rollingWorld(1) })

	oldProcess := func() string { return oldProcessOf(live) }

	// leftPaused is a canary another run created and left paused, its lease expiring at expires.
	leftPaused := func(annotations map[string]string) platform.Deployment {
		dep, err := w.cf.CreateDeployment(context.Background(), platform.DeploymentRequest{AppGUID: live.GUID,
			Strategy: platform.StrategyCanary, Annotations: annotations})
		Expect(err).NotTo(HaveOccurred())
		return dep
	}
	expiring := func(at time.Time) map[string]string {
		return map[string]string{"cf-bluegreen-resource/deploy-id": "killed-run", "cf-bluegreen-resource/lease-expires": bluegreen.Timestamp(at)}
	}

	It("marks the deployment with the run's deploy id and a lease it renews while it follows the deployment", func() {
		w.plan.Strategy, w.plan.CanaryPause, w.plan.LeaseTTL = platform.StrategyCanary, 300*time.Millisecond, 90*time.Millisecond
		_, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		dep := w.cf.Deployments()[0]
		Expect(dep.Annotations).To(HaveKeyWithValue("cf-bluegreen-resource/app", appName))
		Expect(dep.Annotations).To(HaveKey("cf-bluegreen-resource/deploy-id"))
		Expect(count(w.cf.Calls(), "AnnotateDeployment", dep.GUID)).To(BeNumerically(">=", 2), "the lease was not renewed during the canary pause")
	})

	It("cancels a deployment of ours left paused with its lease run out, proves the old version serves alone, then deploys", func() {
		left := leftPaused(expiring(time.Now().Add(-time.Second)))
		_, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		inOrder("cancel the abandoned one, prove the old version alone, then deploy",
			first(calls, "CancelDeployment", left.GUID), first(calls, "AwaitPresent", liveURL, oldProcess()), last(calls, "CreateDeployment"))
		Expect(w.cf.Deployments()[0].Reason).To(Equal(platform.ReasonCanceled))
		Expect(w.out.String()).To(ContainSubstring("was left paused by an interrupted deploy (killed-run); cancelling it"))
	})

	DescribeTable("does not touch a paused deployment that is not abandoned: with on_active_deployment fail it refuses to supersede it",
		func(annotations map[string]string) {
			left := leftPaused(annotations)
			w.plan.WaitActive = false
			_, err := deployRolling(w)
			Expect(err).To(MatchError(ContainSubstring("deployment " + left.GUID + " is ACTIVE/PAUSED")))
			Expect(count(w.cf.Calls(), "CancelDeployment")).To(BeZero())
		},
		Entry("one of ours whose lease is alive", expiring(time.Now().Add(time.Minute))),
		Entry("a user's (no deploy id)", nil),
	)
})
