package contract

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func serviceSpecs(x *fixture) {
	Describe("service instances and bindings", func() {
		It("finds a service instance by name, user-provided or managed, and nil when there is none", func() {
			ctx, p := *x.ctx, x.port()
			cfg, db := x.ups("config"), x.managed("db", false)
			got, err := p.ServiceInstance(ctx, x.space.GUID, "config")
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(&platform.ServiceInstance{GUID: cfg, Name: "config", UserProvided: true}))
			got, err = p.ServiceInstance(ctx, x.space.GUID, "db")
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(&platform.ServiceInstance{GUID: db, Name: "db"}))
			got, err = p.ServiceInstance(ctx, x.space.GUID, "no-such-service")
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(BeNil())
		})

		It("binds a user-provided instance under the binding's name, once, and cannot give its parameters back", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, nil, nil)
			cfg := x.ups("config")
			b, err := p.Bind(ctx, platform.BindingRequest{AppGUID: a.GUID, ServiceInstanceGUID: cfg, Name: "settings"})
			Expect(err).NotTo(HaveOccurred())
			Expect(b.GUID).NotTo(BeEmpty())
			Expect(b).To(Equal(platform.Binding{GUID: b.GUID, Name: "settings", AppGUID: a.GUID,
				ServiceInstanceGUID: cfg, ServiceInstanceName: "config"}))
			listed, err := p.Bindings(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(listed).To(Equal([]platform.Binding{b}))

			params, ok, err := p.BindingParameters(ctx, b.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeFalse())
			Expect(params).To(BeNil())

			_, err = p.Bind(ctx, platform.BindingRequest{AppGUID: a.GUID, ServiceInstanceGUID: cfg, Name: "settings"})
			Expect(err).To(MatchError(ContainSubstring("already bound")))
		})
	})
}

func asyncBindingSpecs(x *fixture) {
	Describe("bindings through a broker", func() {
		It("returns from binding an asynchronous service only once the binding succeeded, with its parameters", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, nil, nil)
			db := x.managed("db", true)
			b, err := p.Bind(ctx, platform.BindingRequest{AppGUID: a.GUID, ServiceInstanceGUID: db, Name: "primary",
				Parameters: map[string]any{"role": "read-only", "pool": float64(5)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(b.Name).To(Equal("primary"))
			Expect(b.ServiceInstanceName).To(Equal("db"))
			// Both read only what a finished binding has: the list leaves out a binding in
			// progress, and CC answers 404 for the parameters of one.
			listed, err := p.Bindings(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(listed).To(Equal([]platform.Binding{b}))
			params, ok, err := p.BindingParameters(ctx, b.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeTrue())
			Expect(params).To(Equal(map[string]any{"role": "read-only", "pool": float64(5)}))
		})

		It("lists the manifest's bindings (without a name) with the others, and forgets them with the app", func() {
			ctx, p := *x.ctx, x.port()
			cfg, cache := x.ups("config"), x.managed("cache", false)
			a := x.applied("applications:\n- name: shop\n  no-route: true\n  services:\n  - config\n", "shop")
			b, err := p.Bind(ctx, platform.BindingRequest{AppGUID: a.GUID, ServiceInstanceGUID: cache, Name: "sessions"})
			Expect(err).NotTo(HaveOccurred())
			listed, err := p.Bindings(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(listed).To(HaveLen(2))
			Expect(listed).To(ContainElement(b))
			Expect(listed).To(ContainElement(platform.Binding{GUID: otherGUID(listed, b.GUID), AppGUID: a.GUID,
				ServiceInstanceGUID: cfg, ServiceInstanceName: "config"}))

			Expect(p.DeleteApp(ctx, a.GUID)).To(Succeed())
			listed, err = p.Bindings(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(listed).To(BeEmpty())
		})
	})
}

// ups makes a user-provided service instance with a url.
func (x *fixture) ups(name string) string {
	Expect(x.f.CreateUserProvidedService).NotTo(BeNil(), "the foundation makes user-provided service instances")
	return x.f.CreateUserProvidedService(name, map[string]any{"url": "https://" + name + ".example.com"})
}

// managed makes a managed service instance.
func (x *fixture) managed(name string, async bool) string {
	Expect(x.f.CreateManagedService).NotTo(BeNil(), "the foundation makes managed service instances")
	return x.f.CreateManagedService(name, async)
}

// otherGUID is the guid of the binding that is not guid.
func otherGUID(bs []platform.Binding, guid string) string {
	for _, b := range bs {
		if b.GUID != guid {
			return b.GUID
		}
	}
	return ""
}
