package cf_test

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/gomega"
)

// What the port does not do, done with go-cfclient on cfsim: service instances as cf
// create-user-provided-service and cf create-service --wait make them.

// createUserProvided makes a user-provided instance with credentials and returns its guid.
func createUserProvided(ctx context.Context, cf *client.Client, spaceGUID, name string, credentials map[string]any) string {
	req := resource.NewServiceInstanceCreateUserProvided(name, spaceGUID)
	raw, err := json.Marshal(credentials)
	Expect(err).NotTo(HaveOccurred())
	creds := json.RawMessage(raw)
	req.Credentials = &creds
	si, err := cf.ServiceInstances.CreateUserProvided(ctx, req)
	Expect(err).NotTo(HaveOccurred())
	return si.GUID
}

// createManaged makes an instance of cfsim's broker, small plan: of postgres, which provisions
// and binds asynchronously, or of redis, which does both at once. It returns the instance's
// guid once its creation succeeded.
func createManaged(ctx context.Context, cf *client.Client, spaceGUID, name string, async bool) string {
	offering := "redis"
	if async {
		offering = "postgres"
	}
	opts := client.NewServicePlanListOptions()
	opts.Names.EqualTo("small")
	opts.ServiceOfferingNames.EqualTo(offering)
	plan, err := cf.ServicePlans.Single(ctx, opts)
	Expect(err).NotTo(HaveOccurred())
	job, err := cf.ServiceInstances.CreateManaged(ctx, resource.NewServiceInstanceCreateManaged(name, spaceGUID, plan.GUID))
	Expect(err).NotTo(HaveOccurred())
	poll := client.NewPollingOptions()
	poll.CheckInterval, poll.Timeout = 50*time.Millisecond, time.Minute
	Expect(cf.Jobs.PollComplete(ctx, job, poll)).To(Succeed())
	sopts := client.NewServiceInstanceListOptions()
	sopts.Names.EqualTo(name)
	si, err := cf.ServiceInstances.Single(ctx, sopts)
	Expect(err).NotTo(HaveOccurred())
	Expect(si.LastOperation.State).To(Equal("succeeded"))
	return si.GUID
}
