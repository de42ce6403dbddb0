package cfsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
)

// cfError is the CC error go-cfclient returned.
func cfError(err error) resource.CloudFoundryError {
	var cf resource.CloudFoundryError
	Expect(errors.As(err, &cf)).To(BeTrue(), "not a CC error: %v", err)
	return cf
}

func unprocessable(detail string) resource.CloudFoundryError {
	return resource.CloudFoundryError{Code: 10008, Title: "CF-UnprocessableEntity", Detail: detail}
}

// plan finds a plan of the built-in broker by offering and plan name, as cf create-service does.
func (f *foundation) plan(offering, name string) *resource.ServicePlan {
	opts := client.NewServicePlanListOptions()
	opts.ServiceOfferingNames.EqualTo(offering)
	opts.Names.EqualTo(name)
	p, err := f.cf.ServicePlans.Single(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return p
}

// ups creates a user-provided instance with the given credentials.
func (f *foundation) ups(name, credentials string) *resource.ServiceInstance {
	r := resource.NewServiceInstanceCreateUserProvided(name, f.SpaceGUID).WithCredentials(json.RawMessage(credentials))
	si, err := f.cf.ServiceInstances.CreateUserProvided(context.Background(), r)
	Expect(err).NotTo(HaveOccurred())
	return si
}

// managed creates a managed instance and waits for its job.
func (f *foundation) managed(offering, plan, name, params string) *resource.ServiceInstance {
	r := resource.NewServiceInstanceCreateManaged(name, f.SpaceGUID, f.plan(offering, plan).GUID)
	if params != "" {
		r.WithParameters(json.RawMessage(params))
	}
	job, err := f.cf.ServiceInstances.CreateManaged(context.Background(), r)
	Expect(err).NotTo(HaveOccurred())
	f.waitJob(job)
	return f.instanceNamed(name)
}

func (f *foundation) instanceNamed(name string) *resource.ServiceInstance {
	opts := client.NewServiceInstanceListOptions()
	opts.Names.EqualTo(name)
	si, err := f.cf.ServiceInstances.Single(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return si
}

func (f *foundation) waitJob(guid string) {
	Expect(guid).NotTo(BeEmpty())
	Expect(f.cf.Jobs.PollComplete(context.Background(), guid, fastPoll())).To(Succeed())
}

// bind binds an app; for a managed instance it waits for the job and returns the binding.
func (f *foundation) bind(r *resource.ServiceCredentialBindingCreate) *resource.ServiceCredentialBinding {
	ctx := context.Background()
	job, b, err := f.cf.ServiceCredentialBindings.Create(ctx, r)
	Expect(err).NotTo(HaveOccurred())
	if b != nil {
		return b
	}
	f.waitJob(job)
	opts := client.NewServiceCredentialBindingListOptions()
	opts.ServiceInstanceGUIDs.EqualTo(r.Relationships.ServiceInstance.Data.GUID)
	if r.Relationships.App != nil {
		opts.AppGUIDs.EqualTo(r.Relationships.App.Data.GUID)
	}
	list, err := f.cf.ServiceCredentialBindings.ListAll(ctx, opts)
	Expect(err).NotTo(HaveOccurred())
	Expect(list).NotTo(BeEmpty())
	return list[len(list)-1]
}

// appEnv reads GET /v3/apps/:guid/env raw, so the test sees CC's JSON as it is.
func (f *foundation) appEnv(appGUID string) map[string]json.RawMessage {
	var env map[string]json.RawMessage
	Expect(json.Unmarshal([]byte(f.ccGet("/v3/apps/"+appGUID+"/env")), &env)).To(Succeed())
	return env
}

// vcapServices is system_env_json.VCAP_SERVICES of the app's env.
func (f *foundation) vcapServices(appGUID string) string {
	var sys map[string]json.RawMessage
	Expect(json.Unmarshal(f.appEnv(appGUID)["system_env_json"], &sys)).To(Succeed())
	return string(sys["VCAP_SERVICES"])
}

// ccGet sends an authenticated GET to CC and returns the body of a 2xx answer.
func (f *foundation) ccGet(path string) string {
	req, err := http.NewRequest(http.MethodGet, f.info.APIURL+path, nil)
	Expect(err).NotTo(HaveOccurred())
	resp, err := f.cf.ExecuteAuthRequest(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// jobStates records every state a job goes through until it ends.
func (f *foundation) jobStates(guid string) []string {
	var states []string
	Eventually(func() string {
		j, err := f.cf.Jobs.Get(context.Background(), guid)
		Expect(err).NotTo(HaveOccurred())
		if s := string(j.State); len(states) == 0 || states[len(states)-1] != s {
			states = append(states, s)
		}
		return states[len(states)-1]
	}, 10*time.Second, 20*time.Millisecond).Should(Or(Equal("COMPLETE"), Equal("FAILED")))
	return states
}

// polledToCompletion matches the states of a job that polled an asynchronous broker; whether
// it is seen PROCESSING first depends on how soon the test looks.
func polledToCompletion() types.GomegaMatcher {
	return Or(Equal([]string{"PROCESSING", "POLLING", "COMPLETE"}), Equal([]string{"POLLING", "COMPLETE"}))
}
