package contract

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func lifecycleSpecs(x *fixture) {
	Describe("staging and starting", func() {
		It("refuses to start an app without a droplet", func() {
			a := x.pushed("shop", 1, nil, nil)
			Expect(x.port().Start(*x.ctx, a.GUID)).NotTo(Succeed())
		})

		It("stages bits into a droplet that does not change the app until set, then runs every instance", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 2, []string{x.url("shop")}, nil)
			x.started(a, 2)
			got, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.State).To(Equal(platform.AppStarted))
			Expect(got.DropletGUID).NotTo(BeEmpty())
			rev, err := p.DeployedRevision(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(rev).NotTo(BeEmpty())

			pkg, err := p.Upload(ctx, a.GUID, x.f.Bits)
			Expect(err).NotTo(HaveOccurred())
			next, err := p.Stage(ctx, pkg)
			Expect(err).NotTo(HaveOccurred())
			Expect(next).NotTo(Equal(got.DropletGUID))
			again, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(again.DropletGUID).To(Equal(got.DropletGUID), "staging never changes the current droplet")

			Expect(p.Stop(ctx, a.GUID)).To(Succeed())
			stopped, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(stopped.State).To(Equal(platform.AppStopped))
		})
	})
}
