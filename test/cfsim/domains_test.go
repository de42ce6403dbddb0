package cfsim_test

import (
	"context"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("domains: two shared domains and apps.internal", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 2}) })
	AfterEach(func() { f.close() })

	It("lists the default domain first, then the second shared domain, then the internal one", func() {
		Expect(f.info.SecondDomain).To(Equal("apps2.cfsim.test"))
		Expect(f.info.Internal).To(Equal("apps.internal"))
		ds, err := f.cf.Domains.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, d := range ds {
			names = append(names, d.Name)
			Expect(d.Internal).To(Equal(d.Name == "apps.internal"))
			Expect(d.SupportedProtocols).To(Equal([]string{"http"}))
		}
		Expect(names).To(Equal([]string{f.info.Domain, f.info.SecondDomain, "apps.internal"}))
		def, err := f.cf.Organizations.GetDefaultDomain(ctx, f.orgGUID())
		Expect(err).NotTo(HaveOccurred())
		Expect(def.Name).To(Equal(f.info.Domain))
		orgDomains, err := f.cf.Domains.ListForOrganizationAll(ctx, f.orgGUID(), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(orgDomains).To(HaveLen(3))
	})

	It("routes requests for routes on either shared domain to the mapped app", func() {
		app, _ := f.push(pushOpts{name: "two-domains", version: "v1"})
		f.waitRunning(app.GUID, 1)
		f.mapRoute(app.GUID, f.domainNamed(f.info.SecondDomain), "other")
		for _, host := range []string{"two-domains." + f.info.Domain, "other." + f.info.SecondDomain} {
			Eventually(func() int { return get(f.info.LBURL, host, "/").status }, 5*time.Second, 20*time.Millisecond).Should(Equal(200))
			Expect(get(f.info.LBURL, host, "/").header.Get("X-Served-By-App")).To(Equal(app.GUID))
		}
	})

	It("never registers an internal route on the routers, and resolves it to the app's instances", func() {
		app, _ := f.push(pushOpts{name: "backend", version: "v1", instances: 2})
		f.waitRunning(app.GUID, 2)
		route := f.mapRoute(app.GUID, f.domainNamed("apps.internal"), "backend")
		Expect(route.URL).To(Equal("backend.apps.internal"))
		Eventually(func() []string { return f.sim.ResolveInternal("backend.apps.internal") }, 5*time.Second, 20*time.Millisecond).Should(HaveLen(2))
		one := f.sim.ResolveInternal("1.backend.apps.internal")
		Expect(one).To(HaveLen(1))
		direct := get("http://"+one[0], "backend.apps.internal", "/")
		Expect(direct.status).To(Equal(200))
		Expect(direct.header.Get("X-Instance-Index")).To(Equal("1"))

		Consistently(func() int { return get(f.info.LBURL, "backend.apps.internal", "/").status }, time.Second, 50*time.Millisecond).Should(Equal(404))
		for i := range f.info.RouterURLs {
			for uri := range f.sim.Routers().Table(i) {
				Expect(uri).NotTo(HaveSuffix("apps.internal"))
			}
		}
		for _, e := range f.sim.RouteEvents() {
			Expect(e.Message.URI).NotTo(ContainSubstring("apps.internal"))
		}
	})

	It("refuses paths and wildcard hosts on the internal domain as CC does", func() {
		internal := f.domainNamed("apps.internal")
		rc := withHost(resource.NewRouteCreate(internal, f.SpaceGUID), "api")
		path := "/v1"
		rc.Path = &path
		_, err := f.cf.Routes.Create(ctx, rc)
		Expect(err).To(MatchError(ContainSubstring("Paths are not supported for internal domains.")))
		_, err = f.cf.Routes.Create(ctx, withHost(resource.NewRouteCreate(internal, f.SpaceGUID), "*"))
		Expect(err).To(MatchError(ContainSubstring("Wildcard hosts are not supported for internal domains.")))
	})
})

func (f *foundation) orgGUID() string {
	opts := client.NewOrganizationListOptions()
	opts.Names.EqualTo(f.info.Org)
	org, err := f.cf.Organizations.Single(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return org.GUID
}

func (f *foundation) domainNamed(name string) string {
	opts := client.NewDomainListOptions()
	opts.Names.EqualTo(name)
	d, err := f.cf.Domains.Single(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return d.GUID
}

// mapRoute creates host on the domain in the app's space and maps the app's web process.
func (f *foundation) mapRoute(appGUID, domainGUID, host string) *resource.Route {
	ctx := context.Background()
	route, err := f.cf.Routes.Create(ctx, withHost(resource.NewRouteCreate(domainGUID, f.SpaceGUID), host))
	Expect(err).NotTo(HaveOccurred())
	_, err = f.cf.Routes.InsertDestinations(ctx, route.GUID,
		[]*resource.RouteDestinationInsertOrReplace{resource.NewRouteDestinationInsertOrReplace(appGUID)})
	Expect(err).NotTo(HaveOccurred())
	return route
}

// routeURLs lists the URLs of the app's routes.
func (f *foundation) routeURLs(appGUID string) []string {
	opts := client.NewRouteListOptions()
	opts.AppGUIDs.EqualTo(appGUID)
	routes, err := f.cf.Routes.ListAll(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, r := range routes {
		out = append(out, r.URL)
	}
	return out
}
