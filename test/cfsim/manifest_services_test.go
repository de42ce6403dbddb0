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

var _ = Describe("manifest services", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	apply := func(manifest string) (string, error) {
		job, err := f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID, manifest)
		Expect(err).NotTo(HaveOccurred())
		return job, f.cf.Jobs.PollComplete(ctx, job, fastPoll())
	}
	bindingsOf := func(appGUID string) []*resource.ServiceCredentialBinding {
		opts := client.NewServiceCredentialBindingListOptions()
		opts.AppGUIDs.EqualTo(appGUID)
		list, err := f.cf.ServiceCredentialBindings.ListAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		return list
	}

	It("binds names and {name, binding_name, parameters}, waiting for the asynchronous broker in the job", func() {
		f.ups("config", `{"feature":"on"}`)
		f.managed("postgres", "small", "db", "")
		_, err := apply(`applications:
- name: shop
  services:
  - config
  - name: db
    binding_name: primary
    parameters: {role: rw, pool: {size: 5}}
`)
		Expect(err).NotTo(HaveOccurred())
		app := f.appNamed("shop")
		list := bindingsOf(app.GUID)
		Expect(list).To(HaveLen(2))
		Expect(list[0].Name).To(BeNil())
		Expect(*list[1].Name).To(Equal("primary"))
		Expect(list[1].LastOperation.State).To(Equal("succeeded"))
		params, err := f.cf.ServiceCredentialBindings.GetParameters(ctx, list[1].GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(*params)).To(MatchJSON(`{"role":"rw","pool":{"size":5}}`))
		Expect(f.vcapServices(app.GUID)).To(And(ContainSubstring(`"user-provided":[`), ContainSubstring(`"name":"primary"`)))

		manifest, err := f.cf.Manifests.Generate(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(manifest).To(ContainSubstring("services:\n        - config\n        - db\n"))
	})

	It("never unbinds a service a later manifest leaves out, and never rebinds one it names again", func() {
		f.ups("Zeta", `{}`)
		f.ups("alpha", `{}`)
		_, err := apply("applications:\n- name: shop\n  services: [Zeta, alpha]\n")
		Expect(err).NotTo(HaveOccurred())
		app := f.appNamed("shop")
		before := bindingsOf(app.GUID)

		_, err = apply("applications:\n- name: shop\n  services:\n  - name: alpha\n    binding_name: renamed\n")
		Expect(err).NotTo(HaveOccurred())
		_, err = apply("applications:\n- name: shop\n  instances: 1\n")
		Expect(err).NotTo(HaveOccurred())
		after := bindingsOf(app.GUID)
		Expect(after).To(HaveLen(2))
		Expect([]string{after[0].GUID, after[1].GUID}).To(Equal([]string{before[0].GUID, before[1].GUID}))
		Expect(after[1].Name).To(BeNil(), "an existing binding is not updated")

		manifest, err := f.cf.Manifests.Generate(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(manifest).To(ContainSubstring("services:\n        - alpha\n        - Zeta\n"))
	})

	It("fails the job with CC's errors for a missing instance and a refused binding", func() {
		_, err := apply("applications:\n- name: shop\n  services: [nope]\n")
		Expect(err).To(MatchError(ContainSubstring("(CF-ResourceNotFound|10010): For application 'shop': Service instance 'nope' not found")))

		f.managed("dashboard", "standard", "dash", "")
		_, err = apply("applications:\n- name: shop\n  services: [dash]\n")
		Expect(err).To(MatchError(ContainSubstring(
			"(CF-UnprocessableEntity|10008): For application 'shop': For service 'dash': Service plan does not allow bindings")))

		f.sim.SetServiceOperationTime(3 * time.Second)
		pg, err := f.cf.ServiceInstances.CreateManaged(ctx,
			resource.NewServiceInstanceCreateManaged("pg", f.SpaceGUID, f.plan("postgres", "small").GUID))
		Expect(err).NotTo(HaveOccurred())
		_, err = apply("applications:\n- name: shop\n  services: [pg]\n")
		Expect(err).To(MatchError(ContainSubstring(
			"For application 'shop': For service 'pg': There is an operation in progress for the service instance")))
		f.waitJob(pg)
	})

	It("refuses a services entry of another shape before accepting the manifest", func() {
		_, err := f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID,
			"applications:\n- name: shop\n  services:\n  - name: db\n    plan: small\n")
		Expect(cfError(err)).To(Equal(unprocessable("For application 'shop': Services must be a list of service instances")))
	})

	It("leaves a binding the app got from cf bind-service alone", func() {
		_, err := apply("applications:\n- name: shop\n")
		Expect(err).NotTo(HaveOccurred())
		app := f.appNamed("shop")
		b := f.bind(resource.NewServiceCredentialBindingCreateApp(f.ups("side", `{"a":1}`).GUID, app.GUID).WithName("side-door"))
		_, err = apply("applications:\n- name: shop\n  services: [side]\n")
		Expect(err).NotTo(HaveOccurred())
		list := bindingsOf(app.GUID)
		Expect(list).To(HaveLen(1))
		Expect(list[0].GUID).To(Equal(b.GUID))
		var env map[string]json.RawMessage
		Expect(json.Unmarshal([]byte(f.vcapServices(app.GUID)), &env)).To(Succeed())
		Expect(env).To(HaveKey("user-provided"))
	})
})
