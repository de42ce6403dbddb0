package cfsim_test

import (
	"context"
	"net/http"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("unmapped routes and service route bindings", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("deletes the space's unmapped routes in a job and keeps mapped ones (cf delete-orphaned-routes)", func() {
		app, err := f.cf.Applications.Create(ctx, resource.NewAppCreate("keeper", f.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
		f.mapRoute(app.GUID, f.domain.GUID, "mapped")
		f.mapRoute(app.GUID, f.domainNamed("apps.internal"), "mapped-internal")
		for _, host := range []string{"orphan-a", "orphan-b"} {
			_, err := f.cf.Routes.Create(ctx, withHost(resource.NewRouteCreate(f.domainNamed(f.info.SecondDomain), f.SpaceGUID), host))
			Expect(err).NotTo(HaveOccurred())
		}

		job, err := f.cf.Routes.DeleteUnmappedRoutesForSpace(ctx, f.SpaceGUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
		j, err := f.cf.Jobs.Get(ctx, job)
		Expect(err).NotTo(HaveOccurred())
		Expect(j.Operation).To(Equal("space.delete_unmapped_routes"))

		routes, err := f.cf.Routes.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var urls []string
		for _, r := range routes {
			urls = append(urls, r.URL)
		}
		Expect(urls).To(ConsistOf("mapped."+f.info.Domain, "mapped-internal.apps.internal"))
	})

	It("refuses a mass delete without unmapped=true as CC does", func() {
		_, err := f.call(http.MethodDelete, "/v3/spaces/"+f.SpaceGUID+"/routes", "")
		Expect(err).To(MatchError(ContainSubstring("Unmapped can't be blank, Mass delete not supported for routes. " +
			"Use 'unmapped=true' parameter to delete all unmapped routes., Unmapped must be a boolean")))
		_, err = f.call(http.MethodDelete, "/v3/spaces/"+f.SpaceGUID+"/routes?unmapped=false", "")
		Expect(err).To(MatchError(ContainSubstring("Mass delete not supported for mapped routes.")))
	})

	It("has no unmapped filter on the routes list, as CC has none", func() {
		opts := client.NewRouteListOptions()
		opts.Hosts.EqualTo("nothing")
		routes, err := f.cf.Routes.ListAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect(routes).To(BeEmpty())

		status, body := f.raw(http.MethodGet, "/v3/routes?unmapped=true", "", "")
		Expect(status).To(Equal(400))
		Expect(body).To(ContainSubstring(`"title":"CF-BadQueryParameter"`))
		Expect(body).To(ContainSubstring(`The query parameter is invalid: Unknown query parameter(s): 'unmapped'. Valid parameters are: 'page', 'per_page', 'order_by'`))
	})

	It("lists no service route bindings, with CC's pagination, and checks the filters", func() {
		opts := client.NewServiceRouteBindingListOptions()
		opts.RouteGUIDs.EqualTo("some-route")
		bindings, err := f.cf.ServiceRouteBindings.ListAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect(bindings).To(BeEmpty())

		status, body := f.raw(http.MethodGet, "/v3/service_route_bindings?route_guids=r1&include=service_instance", "", "")
		Expect(status).To(Equal(200))
		Expect(body).To(MatchJSON(`{"pagination":{"total_results":0,"total_pages":1,` +
			`"first":{"href":"` + f.info.APIURL + `/v3/service_route_bindings?include=service_instance&page=1&per_page=50&route_guids=r1"},` +
			`"last":{"href":"` + f.info.APIURL + `/v3/service_route_bindings?include=service_instance&page=1&per_page=50&route_guids=r1"},` +
			`"next":null,"previous":null},"resources":[]}`))
		status, _ = f.raw(http.MethodGet, "/v3/service_route_bindings?include=app", "", "")
		Expect(status).To(Equal(400))
	})
})
