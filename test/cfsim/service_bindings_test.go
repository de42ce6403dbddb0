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

var _ = Describe("service credential bindings", func() {
	var f *foundation
	var app *resource.App
	ctx := context.Background()
	BeforeEach(func() {
		f = startFoundation(cfsim.Config{Routers: 1})
		var err error
		app, err = f.cf.Applications.Create(ctx, resource.NewAppCreate("web", f.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
	})
	AfterEach(func() { f.close() })

	It("binds a user-provided instance at once, copying its credentials and syslog drain", func() {
		r := resource.NewServiceInstanceCreateUserProvided("db", f.SpaceGUID).
			WithCredentials(json.RawMessage(`{"uri":"postgres://db"}`)).WithSyslogDrainURL("https://logs.example.com")
		si, err := f.cf.ServiceInstances.CreateUserProvided(ctx, r)
		Expect(err).NotTo(HaveOccurred())

		job, b, err := f.cf.ServiceCredentialBindings.Create(ctx,
			resource.NewServiceCredentialBindingCreateApp(si.GUID, app.GUID).WithName("primary-db"))
		Expect(err).NotTo(HaveOccurred())
		Expect(job).To(BeEmpty(), "201 with the binding, no job")
		Expect(*b.Name).To(Equal("primary-db"))
		Expect(b.Type).To(Equal("app"))
		Expect(b.LastOperation.State).To(Equal("succeeded"))
		Expect(b.Relationships.App.Data.GUID).To(Equal(app.GUID))
		Expect(b.Links).NotTo(HaveKey("parameters"))

		d, err := f.cf.ServiceCredentialBindings.GetDetails(ctx, b.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Credentials).To(Equal(map[string]any{"uri": "postgres://db"}))
		Expect(d.SyslogDrainURL).To(Equal("https://logs.example.com"))
		_, err = f.cf.ServiceCredentialBindings.GetParameters(ctx, b.GUID)
		Expect(cfError(err)).To(Equal(resource.CloudFoundryError{Code: 90007, Title: "CF-ServiceFetchBindingParametersNotSupported",
			Detail: "This service does not support fetching service binding parameters."}))

		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateApp(si.GUID, app.GUID).WithName("primary-db"))
		Expect(cfError(err)).To(Equal(unprocessable("The app is already bound to the service instance")))
		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateApp(si.GUID, app.GUID))
		Expect(cfError(err)).To(Equal(unprocessable("The binding name cannot be changed for the same app and service instance")))
		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx,
			resource.NewServiceCredentialBindingCreateApp(si.GUID, app.GUID).WithJSONParameters(`{"role":"ro"}`))
		Expect(cfError(err)).To(Equal(unprocessable("Binding parameters are not supported for user-provided service instances")))

		_, err = f.cf.ServiceInstances.UpdateUserProvided(ctx, si.GUID,
			resource.NewServiceInstanceUserProvidedUpdate().WithCredentials(json.RawMessage(`{"uri":"postgres://db2"}`)))
		Expect(err).NotTo(HaveOccurred())
		d, err = f.cf.ServiceCredentialBindings.GetDetails(ctx, b.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Credentials).To(Equal(map[string]any{"uri": "postgres://db2"}), "an update rewrites the bindings' copy")
		Expect(d.SyslogDrainURL).To(BeEmpty(), "and so does clearing the syslog drain")

		job, err = f.cf.ServiceCredentialBindings.Delete(ctx, b.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(job).To(BeEmpty())
		_, err = f.cf.ServiceCredentialBindings.Get(ctx, b.GUID)
		Expect(cfError(err)).To(Equal(resource.CloudFoundryError{Code: 10010, Title: "CF-ResourceNotFound",
			Detail: "Service credential binding not found"}))
	})

	It("binds a managed instance of the asynchronous offering through a job, with parameters", func() {
		si := f.managed("postgres", "small", "pg", "")
		f.sim.SetServiceOperationTime(3 * time.Second) // a window wide enough to see under load
		job, b, err := f.cf.ServiceCredentialBindings.Create(ctx,
			resource.NewServiceCredentialBindingCreateApp(si.GUID, app.GUID).WithJSONParameters(`{"role":"ro"}`))
		Expect(err).NotTo(HaveOccurred())
		Expect(b).To(BeNil())
		list, err := f.cf.ServiceCredentialBindings.ListAll(ctx, &client.ServiceCredentialBindingListOptions{
			ListOptions: client.NewListOptions(), AppGUIDs: client.Filter{Values: []string{app.GUID}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(1))
		Expect(list[0].Name).To(BeNil())
		Expect(list[0].LastOperation.State).To(Or(Equal("initial"), Equal("in progress")))
		_, err = f.cf.ServiceCredentialBindings.GetDetails(ctx, list[0].GUID)
		Expect(cfError(err).Detail).To(Or(Equal("Creation of service binding initial"), Equal("Creation of service binding in progress")))
		Expect(f.vcapServices(app.GUID)).To(Equal("{}"), "a binding in progress is not in the environment")

		Expect(f.jobStates(job)).To(polledToCompletion())
		j, err := f.cf.Jobs.Get(ctx, job)
		Expect(err).NotTo(HaveOccurred())
		Expect(j.Operation).To(Equal("service_bindings.create"))
		d, err := f.cf.ServiceCredentialBindings.GetDetails(ctx, list[0].GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Credentials).To(HaveKeyWithValue("hostname", "postgres.cfsim.internal"))
		Expect(d.Credentials["uri"]).To(HavePrefix("postgres://"))
		params, err := f.cf.ServiceCredentialBindings.GetParameters(ctx, list[0].GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(*params)).To(MatchJSON(`{"role":"ro"}`))

		job, err = f.cf.ServiceCredentialBindings.Delete(ctx, list[0].GUID)
		Expect(err).NotTo(HaveOccurred())
		f.waitJob(job)
		_, err = f.cf.ServiceCredentialBindings.Get(ctx, list[0].GUID)
		Expect(err).To(HaveOccurred())
	})

	It("lists bindings with the filters and includes the cf CLI uses", func() {
		ups := f.ups("ups", `{"k":"v"}`)
		cache := f.managed("redis", "small", "cache", "")
		other, err := f.cf.Applications.Create(ctx, resource.NewAppCreate("worker", f.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
		f.bind(resource.NewServiceCredentialBindingCreateApp(ups.GUID, app.GUID))
		f.bind(resource.NewServiceCredentialBindingCreateApp(cache.GUID, app.GUID).WithName("cache"))
		f.bind(resource.NewServiceCredentialBindingCreateApp(cache.GUID, other.GUID))
		f.bind(resource.NewServiceCredentialBindingCreateKey(cache.GUID, "ops-key"))

		opts := client.NewServiceCredentialBindingListOptions()
		opts.Type.EqualTo("app")
		opts.ServiceInstanceGUIDs.EqualTo(cache.GUID)
		bindings, apps, err := f.cf.ServiceCredentialBindings.ListIncludeAppsAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect(bindings).To(HaveLen(2))
		Expect([]string{apps[0].Name, apps[1].Name}).To(Equal([]string{"web", "worker"}))

		opts = client.NewServiceCredentialBindingListOptions()
		opts.AppNames.EqualTo("web")
		bindings, instances, err := f.cf.ServiceCredentialBindings.ListIncludeServiceInstancesAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect(bindings).To(HaveLen(2))
		Expect([]string{instances[0].Name, instances[1].Name}).To(Equal([]string{"ups", "cache"}))

		for filter, want := range map[string]int{"names=cache": 1, "type=key": 1, "service_instance_names=ups": 1,
			"service_offering_names=redis": 3, "service_plan_names=small": 3, "app_guids=" + other.GUID: 1} {
			var page struct{ Resources []any }
			Expect(json.Unmarshal([]byte(f.ccGet("/v3/service_credential_bindings?"+filter)), &page)).To(Succeed())
			Expect(page.Resources).To(HaveLen(want), filter)
		}
		_, got, err := f.cf.ServiceCredentialBindings.GetIncludeApp(ctx, bindings[0].GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.GUID).To(Equal(app.GUID))
	})

	It("makes and reads service keys of managed instances only", func() {
		cache := f.managed("redis", "small", "cache", "")
		key := f.bind(resource.NewServiceCredentialBindingCreateKey(cache.GUID, "ops"))
		Expect(key.Type).To(Equal("key"))
		Expect(key.Relationships.App).To(BeNil())
		d, err := f.cf.ServiceCredentialBindings.GetDetails(ctx, key.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Credentials).To(HaveKeyWithValue("host", "redis.cfsim.internal"))

		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateKey(cache.GUID, "ops"))
		Expect(cfError(err)).To(Equal(unprocessable("The binding name is invalid. Key binding names must be unique. " +
			"The service instance already has a key binding with name 'ops'.")))
		ups := f.ups("ups", `{}`)
		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateKey(ups.GUID, "k"))
		Expect(cfError(err)).To(Equal(unprocessable(
			"Service credential bindings of type 'key' are not supported for user-provided service instances.")))
	})

	It("refuses what CC refuses", func() {
		f.sim.SetServiceOperationTime(3 * time.Second)
		ups := f.ups("ups", `{}`)
		for _, tc := range []struct {
			r      *resource.ServiceCredentialBindingCreate
			detail string
		}{
			{resource.NewServiceCredentialBindingCreateApp("nope", app.GUID), "The service instance could not be found: 'nope'"},
			{resource.NewServiceCredentialBindingCreateApp(ups.GUID, "nope"), "The app could not be found: 'nope'"},
			{resource.NewServiceCredentialBindingCreateApp(ups.GUID, app.GUID).WithName("a b"),
				"The binding name is invalid. Valid characters are alphanumeric, underscore, and dash."},
			{&resource.ServiceCredentialBindingCreate{Type: "route", Relationships: resource.NewServiceCredentialBindingCreateApp(ups.GUID, app.GUID).Relationships},
				"Type must be 'app' or 'key'"},
		} {
			_, _, err := f.cf.ServiceCredentialBindings.Create(ctx, tc.r)
			Expect(cfError(err)).To(Equal(unprocessable(tc.detail)))
		}

		dash := f.managed("dashboard", "standard", "dash", "")
		_, _, err := f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateApp(dash.GUID, app.GUID))
		Expect(cfError(err)).To(Equal(unprocessable("Service plan does not allow bindings")))

		f.bind(resource.NewServiceCredentialBindingCreateApp(ups.GUID, app.GUID).WithName("db"))
		cache := f.managed("redis", "small", "cache", "")
		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateApp(cache.GUID, app.GUID).WithName("db"))
		Expect(cfError(err)).To(Equal(unprocessable("The binding name is invalid. Binding names must be unique for a given " +
			"service instance and app. The app already has a binding with name 'db'.")))

		job, err := f.cf.ServiceInstances.CreateManaged(ctx, resource.NewServiceInstanceCreateManaged("pg", f.SpaceGUID, f.plan("postgres", "small").GUID))
		Expect(err).NotTo(HaveOccurred())
		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateApp(f.instanceNamed("pg").GUID, app.GUID))
		Expect(cfError(err)).To(Equal(unprocessable("There is an operation in progress for the service instance")))
		f.waitJob(job)
		pg := f.instanceNamed("pg")
		job, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateApp(pg.GUID, app.GUID))
		Expect(err).NotTo(HaveOccurred())
		_, _, err = f.cf.ServiceCredentialBindings.Create(ctx, resource.NewServiceCredentialBindingCreateApp(pg.GUID, app.GUID))
		Expect(cfError(err).Detail).To(MatchRegexp(`^There is already a binding in progress for this service instance and app \(binding guid: [0-9a-f-]{36}\)$`))
		f.waitJob(job)
	})

	It("deletes an instance's bindings and keys with it, and an app's bindings with the app", func() {
		ups := f.ups("ups", `{}`)
		cache := f.managed("redis", "small", "cache", "")
		f.bind(resource.NewServiceCredentialBindingCreateApp(ups.GUID, app.GUID))
		f.bind(resource.NewServiceCredentialBindingCreateApp(cache.GUID, app.GUID))
		f.bind(resource.NewServiceCredentialBindingCreateKey(cache.GUID, "key"))

		job, err := f.cf.ServiceInstances.Delete(ctx, cache.GUID)
		Expect(err).NotTo(HaveOccurred())
		f.waitJob(job)
		all, err := f.cf.ServiceCredentialBindings.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(all).To(HaveLen(1))

		job, err = f.cf.Applications.Delete(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		f.waitJob(job)
		all, err = f.cf.ServiceCredentialBindings.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(all).To(BeEmpty())
	})
})
