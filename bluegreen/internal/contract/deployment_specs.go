package contract

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func deploymentSpecs(x *fixture) {
	Describe("deployments", func() {
		It("keeps a deployment ACTIVE with a new process until it is cancelled, then brings back the old process alone", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, []string{x.url("shop")}, nil)
			x.started(a, 1)
			before, err := p.WebProcesses(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(before).To(HaveLen(1))
			revs, err := p.Revisions(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(revs).NotTo(BeEmpty(), "starting an app makes its first revision")

			dep, err := p.CreateDeployment(ctx, platform.DeploymentRequest{AppGUID: a.GUID,
				Strategy: platform.StrategyCanary})
			Expect(err).NotTo(HaveOccurred())
			Expect(dep.Active()).To(BeTrue())
			Expect(dep.NewProcesses).To(HaveLen(1))
			active, err := p.ActiveDeployment(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(active).NotTo(BeNil())
			Expect(active.GUID).To(Equal(dep.GUID))

			x.awaitReason(dep.GUID, platform.ReasonPaused)
			Expect(p.CancelDeployment(ctx, dep.GUID)).To(Succeed())
			x.awaitReason(dep.GUID, platform.ReasonCanceled)
			after, err := p.WebProcesses(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(after).To(HaveLen(1))
			Expect(after[0].GUID).To(Equal(before[0].GUID))
			none, err := p.ActiveDeployment(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(none).To(BeNil())
		})

		It("keeps the annotations a deployment was created with, and sets and removes them later", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, []string{x.url("shop")}, nil)
			x.started(a, 1)
			dep, err := p.CreateDeployment(ctx, platform.DeploymentRequest{AppGUID: a.GUID, Strategy: platform.StrategyCanary,
				Annotations: map[string]string{"example.com/owner": "run-1", "example.com/until": "soon"}})
			Expect(err).NotTo(HaveOccurred())
			read, err := p.Deployment(ctx, dep.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(read.Annotations).To(Equal(map[string]string{"example.com/owner": "run-1", "example.com/until": "soon"}))

			later := "later"
			Expect(p.AnnotateDeployment(ctx, dep.GUID, map[string]*string{"example.com/until": &later, "example.com/owner": nil})).To(Succeed())
			active, err := p.ActiveDeployment(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(active.Annotations).To(Equal(map[string]string{"example.com/until": "later"}))
			Expect(p.CancelDeployment(ctx, dep.GUID)).To(Succeed())
		})
	})
}

// awaitReason waits, as patiently as the platform needs, for the deployment to reach reason.
func (x *fixture) awaitReason(guid string, reason platform.DeploymentReason) {
	ctx, p := *x.ctx, x.port()
	ExpectWithOffset(1, eventually(ctx, x.f.Patience, func() error {
		d, err := p.Deployment(ctx, guid)
		if err == nil && d.Reason != reason {
			return fmt.Errorf("deployment %s is %s/%s, not %s yet", guid, d.Value, d.Reason, reason)
		}
		return err
	})).To(Succeed())
}
