package cfsim_test

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("service instances", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("creates, reads, updates and deletes a user-provided instance at once", func() {
		r := resource.NewServiceInstanceCreateUserProvided("db", f.SpaceGUID).
			WithCredentials(json.RawMessage(`{"uri":"postgres://u:p@db.example.com/x"}`)).
			WithSyslogDrainURL("https://logs.example.com/drain").WithRouteServiceURL("https://route.example.com").
			WithTags([]string{"sql"})
		si, err := f.cf.ServiceInstances.CreateUserProvided(ctx, r)
		Expect(err).NotTo(HaveOccurred())
		Expect(si.Type).To(Equal("user-provided"))
		Expect(si.Tags).To(Equal([]string{"sql"}))
		Expect(*si.SyslogDrainURL).To(Equal("https://logs.example.com/drain"))
		Expect(*si.RouteServiceURL).To(Equal("https://route.example.com"))
		Expect(si.LastOperation.Type).To(Equal("create"))
		Expect(si.LastOperation.State).To(Equal("succeeded"))
		Expect(si.LastOperation.Description).To(Equal("Operation succeeded"))
		Expect(si.Relationships.ServicePlan).To(BeNil())

		creds, err := f.cf.ServiceInstances.GetUserProvidedCredentials(ctx, si.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(*creds)).To(MatchJSON(`{"uri":"postgres://u:p@db.example.com/x"}`))
		_, err = f.cf.ServiceInstances.GetManagedParameters(ctx, si.GUID)
		Expect(cfError(err)).To(Equal(resource.CloudFoundryError{Code: 120004,
			Title: "CF-ServiceFetchInstanceParametersNotSupported", Detail: "This service does not support fetching service instance parameters."}))

		_, err = f.cf.ServiceInstances.CreateUserProvided(ctx, resource.NewServiceInstanceCreateUserProvided("db", f.SpaceGUID))
		Expect(cfError(err)).To(Equal(unprocessable("The service instance name is taken: db.")))

		u := resource.NewServiceInstanceUserProvidedUpdate().WithCredentials(json.RawMessage(`{"uri":"new"}`)).
			WithSyslogDrainURL("https://logs.example.com/drain").WithTags([]string{"sql", "v2"})
		si, err = f.cf.ServiceInstances.UpdateUserProvided(ctx, si.GUID, u)
		Expect(err).NotTo(HaveOccurred())
		Expect(si.LastOperation.Type).To(Equal("update"))
		Expect(si.Tags).To(Equal([]string{"sql", "v2"}))
		Expect(si.RouteServiceURL).To(BeNil(), "go-cfclient sends null for an unset route service URL, which clears it")
		creds, err = f.cf.ServiceInstances.GetUserProvidedCredentials(ctx, si.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(*creds)).To(MatchJSON(`{"uri":"new"}`))

		job, err := f.cf.ServiceInstances.Delete(ctx, si.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(job).To(BeEmpty(), "a user-provided instance is deleted at once (204)")
		_, err = f.cf.ServiceInstances.Get(ctx, si.GUID)
		Expect(cfError(err)).To(Equal(resource.CloudFoundryError{Code: 10010, Title: "CF-ResourceNotFound", Detail: "Service instance not found"}))
	})

	It("creates a managed instance of the asynchronous offering through a job that polls the broker", func() {
		f.sim.SetServiceOperationTime(3 * time.Second) // a window wide enough to see under load
		p := f.plan("postgres", "small")
		r := resource.NewServiceInstanceCreateManaged("pg", f.SpaceGUID, p.GUID).
			WithParameters(json.RawMessage(`{"storage_gb":5}`)).WithTags([]string{"primary"})
		job, err := f.cf.ServiceInstances.CreateManaged(ctx, r)
		Expect(err).NotTo(HaveOccurred())
		si := f.instanceNamed("pg")
		Expect(si.LastOperation.Type).To(Equal("create"))
		Expect(si.LastOperation.State).To(Or(Equal("initial"), Equal("in progress")))
		Expect(si.Type).To(Equal("managed"))
		Expect(si.Relationships.ServicePlan.Data.GUID).To(Equal(p.GUID))

		Eventually(func() string { return f.instanceNamed("pg").LastOperation.State }, 5*time.Second, 20*time.Millisecond).
			Should(Equal("in progress"))
		Expect(f.jobStates(job)).To(Equal([]string{"POLLING", "COMPLETE"}))
		j, err := f.cf.Jobs.Get(ctx, job)
		Expect(err).NotTo(HaveOccurred())
		Expect(j.Operation).To(Equal("service_instance.create"))
		si = f.instanceNamed("pg")
		Expect(si.LastOperation.State).To(Equal("succeeded"))

		params, err := f.cf.ServiceInstances.GetManagedParameters(ctx, si.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(*params)).To(MatchJSON(`{"storage_gb":5}`))
		_, err = f.cf.ServiceInstances.GetUserProvidedCredentials(ctx, si.GUID)
		Expect(cfError(err).Detail).To(Equal("Service instance not found"))

		job, err = f.cf.ServiceInstances.Delete(ctx, si.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.jobStates(job)).To(polledToCompletion())
		_, err = f.cf.ServiceInstances.Get(ctx, si.GUID)
		Expect(err).To(HaveOccurred())
	})

	It("creates a managed instance of the synchronous offering without polling", func() {
		job, err := f.cf.ServiceInstances.CreateManaged(ctx,
			resource.NewServiceInstanceCreateManaged("cache", f.SpaceGUID, f.plan("redis", "small").GUID))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.jobStates(job)).NotTo(ContainElement("POLLING"))
		Expect(f.instanceNamed("cache").LastOperation.State).To(Equal("succeeded"))
	})

	It("refuses what CC refuses", func() {
		f.sim.SetServiceOperationTime(3 * time.Second)
		big := f.plan("postgres", "large")
		_, err := f.cf.ServiceInstances.CreateManaged(ctx, resource.NewServiceInstanceCreateManaged("x", f.SpaceGUID, "no-such-plan"))
		Expect(cfError(err)).To(Equal(unprocessable("Invalid service plan. Ensure that the service plan exists, is available, and you have access to it.")))
		_, err = f.cf.ServiceInstances.CreateManaged(ctx, resource.NewServiceInstanceCreateManaged("x", "no-such-space", big.GUID))
		Expect(cfError(err)).To(Equal(unprocessable("Invalid space. Ensure that the space exists and you have access to it.")))

		job, err := f.cf.ServiceInstances.CreateManaged(ctx, resource.NewServiceInstanceCreateManaged("slow", f.SpaceGUID, big.GUID))
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.ServiceInstances.CreateManaged(ctx, resource.NewServiceInstanceCreateManaged("slow", f.SpaceGUID, big.GUID))
		Expect(cfError(err)).To(Equal(unprocessable("The service instance name is taken: slow.")))
		si := f.instanceNamed("slow")
		_, err = f.cf.ServiceInstances.Delete(ctx, si.GUID)
		Expect(cfError(err)).To(Equal(unprocessable("There is an operation in progress for the service instance.")))
		_, _, err = f.cf.ServiceInstances.UpdateManaged(ctx, si.GUID,
			resource.NewServiceInstanceManagedUpdate().WithParameters(json.RawMessage(`{}`)))
		Expect(cfError(err)).To(Equal(resource.CloudFoundryError{Code: 60016, Title: "CF-AsyncServiceInstanceOperationInProgress",
			Detail: "An operation for service instance slow is in progress."}))
		f.waitJob(job)

		_, _, err = f.cf.ServiceInstances.UpdateManaged(ctx, si.GUID,
			resource.NewServiceInstanceManagedUpdate().WithServicePlan(f.plan("redis", "ha").GUID))
		Expect(cfError(err)).To(Equal(resource.CloudFoundryError{Code: 1002, Title: "CF-InvalidRelation",
			Detail: "service plan relates to a different service offering"}))

		opts := client.NewServiceInstanceListOptions()
		opts.Type = "shared"
		_, err = f.cf.ServiceInstances.ListAll(ctx, opts)
		Expect(cfError(err)).To(Equal(resource.CloudFoundryError{Code: 10005, Title: "CF-BadQueryParameter",
			Detail: "The query parameter is invalid: Type must be one of 'managed', 'user-provided'"}))
	})

	It("updates a managed instance's name at once and its plan and parameters through the broker", func() {
		si := f.managed("redis", "small", "cache", `{"maxmemory":"64mb"}`)
		job, got, err := f.cf.ServiceInstances.UpdateManaged(ctx, si.GUID,
			resource.NewServiceInstanceManagedUpdate().WithName("cache-1").WithTags([]string{"hot"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(job).To(BeEmpty())
		Expect(got.Name).To(Equal("cache-1"))
		Expect(got.Tags).To(Equal([]string{"hot"}))

		ha := f.plan("redis", "ha")
		job, _, err = f.cf.ServiceInstances.UpdateManaged(ctx, si.GUID, resource.NewServiceInstanceManagedUpdate().
			WithServicePlan(ha.GUID).WithParameters(json.RawMessage(`{"maxmemory":"1gb"}`)))
		Expect(err).NotTo(HaveOccurred())
		f.waitJob(job)
		si = f.instanceNamed("cache-1")
		Expect(si.Relationships.ServicePlan.Data.GUID).To(Equal(ha.GUID))
		Expect(si.LastOperation.Type).To(Equal("update"))
		Expect(si.LastOperation.State).To(Equal("succeeded"))
		params, err := f.cf.ServiceInstances.GetManagedParameters(ctx, si.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(*params)).To(MatchJSON(`{"maxmemory":"1gb"}`))
	})

	It("lists instances by name, space and type, with the plan, offering and broker names cf services asks for", func() {
		f.ups("ups-1", `{}`)
		f.managed("redis", "small", "cache", "")
		opts := client.NewServiceInstanceListOptions()
		opts.Type = "managed"
		list, err := f.cf.ServiceInstances.ListAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(1))
		Expect(list[0].Name).To(Equal("cache"))

		body := f.ccGet("/v3/service_instances?space_guids=" + f.SpaceGUID +
			"&fields%5Bservice_plan%5D=guid,name,relationships.service_offering" +
			"&fields%5Bservice_plan.service_offering%5D=guid,name,relationships.service_broker" +
			"&fields%5Bservice_plan.service_offering.service_broker%5D=guid,name&order_by=-name&per_page=5000")
		var page struct {
			Resources []struct{ Name string } `json:"resources"`
			Included  map[string][]map[string]any
		}
		Expect(json.Unmarshal([]byte(body), &page)).To(Succeed())
		Expect(page.Resources).To(HaveLen(2))
		Expect(page.Resources[0].Name).To(Equal("ups-1"))
		Expect(page.Included["service_plans"][0]).To(HaveKeyWithValue("name", "small"))
		Expect(page.Included["service_plans"][0]).To(HaveKey("relationships"))
		Expect(page.Included["service_offerings"][0]).To(HaveKeyWithValue("name", "redis"))
		Expect(page.Included["service_brokers"][0]).To(Equal(map[string]any{"name": "cfsim-broker",
			"guid": page.Included["service_offerings"][0]["relationships"].(map[string]any)["service_broker"].(map[string]any)["data"].(map[string]any)["guid"]}))
	})
})
