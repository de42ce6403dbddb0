package cfsim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("VCAP_SERVICES", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 2}) })
	AfterEach(func() { f.close() })

	It("is in GET /v3/apps/:guid/env exactly as CC writes it", func() {
		app, err := f.cf.Applications.Create(ctx, resource.NewAppCreate("web", f.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.vcapServices(app.GUID)).To(Equal("{}"))

		r := resource.NewServiceInstanceCreateUserProvided("my-ups", f.SpaceGUID).
			WithCredentials(json.RawMessage(`{"uri":"x"}`)).WithSyslogDrainURL("https://logs.example.com").WithTags([]string{"sql"})
		ups, err := f.cf.ServiceInstances.CreateUserProvided(ctx, r)
		Expect(err).NotTo(HaveOccurred())
		cache := f.managed("redis", "small", "cache", "")
		_, _, err = f.cf.ServiceInstances.UpdateManaged(ctx, cache.GUID, resource.NewServiceInstanceManagedUpdate().WithTags([]string{"hot", "redis"}))
		Expect(err).NotTo(HaveOccurred())
		b1 := f.bind(resource.NewServiceCredentialBindingCreateApp(ups.GUID, app.GUID))
		b2 := f.bind(resource.NewServiceCredentialBindingCreateApp(cache.GUID, app.GUID).WithName("session-store"))
		d, err := f.cf.ServiceCredentialBindings.GetDetails(ctx, b2.GUID)
		Expect(err).NotTo(HaveOccurred())
		creds, err := json.Marshal(d.Credentials)
		Expect(err).NotTo(HaveOccurred())

		want := fmt.Sprintf(`{"user-provided":[{"label":"user-provided","name":"my-ups","tags":["sql"],`+
			`"instance_guid":%q,"instance_name":"my-ups","binding_guid":%q,"binding_name":null,"credentials":{"uri":"x"},`+
			`"syslog_drain_url":"https://logs.example.com","volume_mounts":[]}],`+
			`"redis":[{"label":"redis","provider":null,"plan":"small","name":"session-store","tags":["redis","key-value","hot"],`+
			`"instance_guid":%q,"instance_name":"cache","binding_guid":%q,"binding_name":"session-store","credentials":%s,`+
			`"syslog_drain_url":null,"volume_mounts":[]}]}`, ups.GUID, b1.GUID, cache.GUID, b2.GUID, creds)
		Expect(f.vcapServices(app.GUID)).To(Equal(want))
		Expect(f.appEnv(app.GUID)).To(HaveKey("application_env_json"))
	})

	It("reaches a pushed app's instances when they start after the binding", func() {
		app, _ := f.push(pushOpts{name: "binder", version: "v1"})
		f.waitRunning(app.GUID, 1)
		Expect(f.servedVCAP("binder", "")).To(Equal("{}"))

		f.bind(resource.NewServiceCredentialBindingCreateApp(f.ups("creds", `{"password":"s3cret"}`).GUID, app.GUID))
		f.bind(resource.NewServiceCredentialBindingCreateApp(f.managed("postgres", "small", "pg", "").GUID, app.GUID))
		want := f.vcapServices(app.GUID)
		Expect(want).To(ContainSubstring("s3cret"))
		Expect(want).To(ContainSubstring(`"postgres":[`))
		Expect(f.servedVCAP("binder", "")).To(Equal("{}"), "the running instance keeps the environment it started with")

		_, err := f.cf.Applications.Restart(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() string { return f.servedVCAP("binder", "") }, 20*time.Second, 50*time.Millisecond).Should(Equal(want))
	})

	It("stays as an instance started with it, through bindings and scale-ups, until the app restarts", func() {
		app, _ := f.push(pushOpts{name: "steady", version: "v1"})
		f.waitRunning(app.GUID, 1)
		f.bind(resource.NewServiceCredentialBindingCreateApp(f.ups("late", `{"k":"v"}`).GUID, app.GUID))
		two := 2
		_, err := f.cf.Processes.Scale(ctx, f.webProcess(app.GUID), &resource.ProcessScale{Instances: &two})
		Expect(err).NotTo(HaveOccurred())
		f.waitRunning(app.GUID, 2)
		for _, index := range []string{"0", "1"} {
			Expect(f.servedVCAP("steady", app.GUID+":"+index)).To(Equal("{}"),
				"Diego starts a scaled-up instance from the same desired LRP, whose env was fixed at start")
		}

		_, err = f.cf.Applications.Restart(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		for _, index := range []string{"0", "1"} {
			Eventually(func() string { return f.servedVCAP("steady", app.GUID+":"+index) }, 20*time.Second, 50*time.Millisecond).
				Should(ContainSubstring(`"late"`))
		}
	})
})

// servedVCAP is the VCAP_SERVICES an instance of the versioned app answers through the load
// balancer; instance ("guid:index") picks one with X-CF-App-Instance.
func (f *foundation) servedVCAP(app, instance string) string {
	var headers []string
	if instance != "" {
		headers = []string{"X-CF-App-Instance", instance}
	}
	var r reply
	Eventually(func() int {
		r = get(f.info.LBURL, f.host(app), "/env/VCAP_SERVICES", headers...)
		return r.status
	}, 10*time.Second, 20*time.Millisecond).Should(Equal(200))
	return r.body
}
