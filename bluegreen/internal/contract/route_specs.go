package contract

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func routeSpecs(x *fixture, domainID *string) {
	Describe("routes", func() {
		It("finds an existing route instead of making a second one", func() {
			ctx, p := *x.ctx, x.port()
			r, err := p.EnsureRoute(ctx, x.space.GUID, *domainID, "shop-candidate-prod", "")
			Expect(err).NotTo(HaveOccurred())
			Expect(r.URL).To(Equal(x.url("shop-candidate-prod")))
			again, err := p.EnsureRoute(ctx, x.space.GUID, *domainID, "shop-candidate-prod", "")
			Expect(err).NotTo(HaveOccurred())
			Expect(again.GUID).To(Equal(r.GUID))
			Expect(again.Hostname()).To(Equal(x.url("shop-candidate-prod")))
		})

		It("maps an app once however often it is mapped, unmaps it, and deletes the route", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, nil, nil)
			r, err := p.EnsureRoute(ctx, x.space.GUID, *domainID, "shop", "/api")
			Expect(err).NotTo(HaveOccurred())
			Expect(r.URL).To(Equal(x.url("shop") + "/api"))
			Expect(p.Map(ctx, r.GUID, a.GUID, "")).To(Succeed())
			Expect(p.Map(ctx, r.GUID, a.GUID, "")).To(Succeed())
			got, err := p.Route(ctx, r.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Dests).To(HaveLen(1))
			Expect(got.Dests).To(HaveKey(a.GUID))
			mapped, err := p.AppRoutes(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(urls(mapped)).To(Equal([]string{r.URL}))

			Expect(p.Unmap(ctx, r.GUID, a.GUID)).To(Succeed())
			got, err = p.Route(ctx, r.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Dests).To(BeEmpty())

			Expect(p.DeleteRoute(ctx, r.GUID)).To(Succeed())
			_, err = p.Route(ctx, r.GUID)
			Expect(err).To(HaveOccurred(), "the route is gone")
		})

	})
}

func deletedAppSpecs(x *fixture) {
	Describe("deleting an app", func() {
		It("takes a deleted app off every route it was mapped to, keeping the routes", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, []string{x.url("shop")}, nil)
			routes, err := p.AppRoutes(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(routes).To(HaveLen(1))
			Expect(p.DeleteApp(ctx, a.GUID)).To(Succeed())
			gone, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(gone).To(BeNil())
			r, err := p.Route(ctx, routes[0].GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Dests).NotTo(HaveKey(a.GUID))
		})
	})
}
