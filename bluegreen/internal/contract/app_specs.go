package contract

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func appSpecs(x *fixture) {
	Describe("apps", func() {
		It("creates a stopped app with its metadata, and refuses a second one of that name", func() {
			ctx, p := *x.ctx, x.port()
			a, err := p.CreateApp(ctx, x.space.GUID, "shop-candidate", map[string]string{"cf-bluegreen-resource/role": "candidate"},
				map[string]string{"cf-bluegreen-resource/step": "created"})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.State).To(Equal(platform.AppStopped))
			Expect(a.Labels).To(HaveKeyWithValue("cf-bluegreen-resource/role", "candidate"))
			Expect(a.Annotations).To(HaveKeyWithValue("cf-bluegreen-resource/step", "created"))

			_, err = p.CreateApp(ctx, x.space.GUID, "shop-candidate", nil, map[string]string{"cf-bluegreen-resource/step": "other"})
			Expect(err).To(MatchError(platform.ErrNameTaken))

			found, err := p.AppByName(ctx, x.space.GUID, "shop-candidate")
			Expect(err).NotTo(HaveOccurred())
			Expect(found.GUID).To(Equal(a.GUID))
			byGUID, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(byGUID.Name).To(Equal("shop-candidate"))
		})

		It("answers nil, not an error, for an app that does not exist", func() {
			a, err := x.port().AppByName(*x.ctx, x.space.GUID, "no-such-app")
			Expect(err).NotTo(HaveOccurred())
			Expect(a).To(BeNil())
		})

		It("renames, sets and removes metadata in one update, and refuses a name in use or a blank one", func() {
			ctx, p := *x.ctx, x.port()
			a, err := p.CreateApp(ctx, x.space.GUID, "shop-candidate", nil, map[string]string{"keep": "1", "drop": "2"})
			Expect(err).NotTo(HaveOccurred())
			other, err := p.CreateApp(ctx, x.space.GUID, "shop", nil, nil)
			Expect(err).NotTo(HaveOccurred())

			live, step := "live", "finalize"
			Expect(p.Update(ctx, a.GUID, "shop-next", map[string]*string{"cf-bluegreen-resource/role": &live},
				map[string]*string{"drop": nil, "step": &step})).To(Succeed())
			got, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Name).To(Equal("shop-next"))
			Expect(got.Labels).To(HaveKeyWithValue("cf-bluegreen-resource/role", "live"))
			Expect(got.Annotations).To(Equal(map[string]string{"keep": "1", "step": "finalize"}))

			Expect(p.Update(ctx, a.GUID, other.Name, nil, nil)).NotTo(Succeed(), "renamed onto a name in use")
			Expect(p.Update(ctx, a.GUID, "", nil, nil)).NotTo(Succeed(), "renamed to a blank name")
		})

	})
}

func manifestSpecs(x *fixture) {
	Describe("apps in the manifest", func() {
		It("lists the apps of the space with a label", func() {
			ctx, p := *x.ctx, x.port()
			prev, err := p.CreateApp(ctx, x.space.GUID, "shop-previous", map[string]string{"cf-bluegreen-resource/role": "previous"}, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = p.CreateApp(ctx, x.space.GUID, "shop", map[string]string{"cf-bluegreen-resource/role": "live"}, nil)
			Expect(err).NotTo(HaveOccurred())
			apps, err := p.AppsWithLabel(ctx, x.space.GUID, "cf-bluegreen-resource/role", "previous")
			Expect(err).NotTo(HaveOccurred())
			Expect(apps).To(HaveLen(1))
			Expect(apps[0].GUID).To(Equal(prev.GUID))
		})

		It("applies a manifest additively: a route it no longer names stays mapped, env vars are merged", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 2, []string{x.url("shop")}, map[string]string{"A": "1"})
			x.pushed("shop", 2, []string{x.url("shop-www")}, map[string]string{"B": "2"})
			routes, err := p.AppRoutes(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(urls(routes)).To(ConsistOf(x.url("shop"), x.url("shop-www")))
			env, err := p.EnvVars(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(env).To(Equal(map[string]string{"A": "1", "B": "2"}))
			web, err := p.WebProcess(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(web.Instances).To(Equal(2))
		})

		It("patches env vars: a nil value removes one", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, nil, map[string]string{"A": "1", "B": "2"})
			three := "3"
			Expect(p.SetEnvVars(ctx, a.GUID, map[string]*string{"A": nil, "C": &three})).To(Succeed())
			env, err := p.EnvVars(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(env).To(Equal(map[string]string{"B": "2", "C": "3"}))
		})
	})
}

func urls(routes []platform.Route) []string {
	var out []string
	for _, r := range routes {
		out = append(out, r.URL)
	}
	return out
}
