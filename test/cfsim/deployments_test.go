package cfsim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("deployments", func() {
	var (
		f   *foundation
		app *resource.App
		ctx = context.Background()
	)
	BeforeEach(func() {
		f = startFoundation(cfsim.Config{Routers: 2, DeploymentInterval: 150 * time.Millisecond})
		app, _ = f.push(pushOpts{name: "rolled", version: "v1", instances: 3})
		f.waitRunning(app.GUID, 3)
		f.setEnv(app.GUID, "VERSION", "v2")
	})
	AfterEach(func() { f.close() })

	It("rolls a new droplet out one instance at a time, oldest process shrinking as the new one grows", func() {
		droplet := f.stage(app.GUID, appZip)
		d, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, droplet, "rolling", nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Status.Value).To(Equal("ACTIVE"))
		Expect(d.Status.Reason).To(Equal("DEPLOYING"))
		Expect(d.NewProcesses).To(HaveLen(1))

		_, err = f.cf.Processes.Scale(ctx, d.NewProcesses[0].GUID, resource.NewProcessScale().WithInstances(5))
		Expect(err).To(MatchError(ContainSubstring("Cannot scale this process while a deployment is in flight.")))

		steps := f.watchWebSteps(app.GUID, d.GUID)
		Expect(steps).To(ContainElements("3+1", "2+2", "1+3"), "the updater's scale steps, old+new")
		Expect(steps[len(steps)-1]).To(Equal("3"), "one web process with three instances at the end")
		Eventually(func() string { return get(f.info.LBURL, f.host("rolled"), "/").body }).Should(Equal("version=v2"))
		for i := 0; i < 20; i++ {
			Expect(get(f.info.LBURL, f.host("rolled"), "/").body).To(Equal("version=v2"))
		}
		rev, err := f.cf.Revisions.Get(ctx, f.getDeployment(d.GUID).Revision.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(rev.Description).To(Equal("New droplet deployed. New environment variables deployed."))
	})

	It("pauses a canary at each step, continues on request, and finishes", func() {
		droplet := f.stage(app.GUID, appZip)
		d, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, droplet, "canary", []int{34, 100}))
		Expect(err).NotTo(HaveOccurred())
		f.waitDeployment(d.GUID, "ACTIVE", "PAUSED")
		paused := f.getDeployment(d.GUID)
		Expect(paused.Status.Canary.Steps.Current).To(Equal(1))
		Expect(paused.Status.Canary.Steps.Total).To(Equal(2))
		Expect(f.webCounts(app.GUID)).To(Equal("3+1"), "a canary runs one extra instance above the original count")
		canary := d.NewProcesses[0].GUID
		Eventually(func() string {
			return get(f.info.LBURL, f.host("rolled"), "/", "X-CF-Process-Instance", canary).body
		}, 5*time.Second, 20*time.Millisecond).Should(Equal("version=v2"))

		Expect(f.cf.Deployments.Continue(ctx, d.GUID)).To(Succeed())
		f.waitDeployment(d.GUID, "ACTIVE", "PAUSED")
		Expect(f.getDeployment(d.GUID).Status.Canary.Steps.Current).To(Equal(2))
		Expect(f.webCounts(app.GUID)).To(Equal("0+3"), "a last step of 100 replaces every instance but still pauses")

		Expect(f.cf.Deployments.Continue(ctx, d.GUID)).To(Succeed())
		f.waitDeployment(d.GUID, "FINALIZED", "DEPLOYED")
		Expect(f.webCounts(app.GUID)).To(Equal("3"))
		err = f.cf.Deployments.Continue(ctx, d.GUID)
		Expect(err).To(MatchError(ContainSubstring("Cannot continue a deployment with status: FINALIZED and reason: DEPLOYED")))
	})

	It("cancels a paused canary: the old process serves alone again and the old droplet is current", func() {
		before, err := f.cf.Droplets.GetCurrentForApp(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		droplet := f.stage(app.GUID, appZip)
		d, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, droplet, "canary", nil))
		Expect(err).NotTo(HaveOccurred())
		f.waitDeployment(d.GUID, "ACTIVE", "PAUSED")
		Expect(f.cf.Deployments.Cancel(ctx, d.GUID)).To(Succeed())
		Expect(f.getDeployment(d.GUID).Status.Reason).To(Equal("CANCELING"))
		f.waitDeployment(d.GUID, "FINALIZED", "CANCELED")
		Expect(f.webCounts(app.GUID)).To(Equal("3"))
		current, err := f.cf.Droplets.GetCurrentForApp(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(current.GUID).To(Equal(before.GUID))
		Eventually(func() int {
			return get(f.info.LBURL, f.host("rolled"), "/", "X-CF-Process-Instance", d.NewProcesses[0].GUID).status
		}, 5*time.Second, 20*time.Millisecond).Should(Equal(400))
		for i := 0; i < 20; i++ {
			Expect(get(f.info.LBURL, f.host("rolled"), "/").body).To(Equal("version=v1"))
		}
	})

	It("never finishes when new instances crash: CC has no failure state", func() {
		f.setEnv(app.GUID, "CRASH", "start")
		d, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, "", "rolling", nil))
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() []string {
			stats, err := f.cf.Processes.GetStats(ctx, d.NewProcesses[0].GUID)
			Expect(err).NotTo(HaveOccurred())
			return []string{stats.Stats[0].State}
		}, 10*time.Second, 50*time.Millisecond).Should(Equal([]string{"CRASHED"}))
		Consistently(func() string { return f.getDeployment(d.GUID).Status.Reason }, 2*time.Second, 100*time.Millisecond).
			Should(Equal("DEPLOYING"))
		Expect(f.webCounts(app.GUID)).To(Equal("3+1"))
		Expect(get(f.info.LBURL, f.host("rolled"), "/").body).To(Equal("version=v1"))
	})

	It("supersedes an active deployment when a new one is created", func() {
		f.setEnv(app.GUID, "CRASH", "start")
		first, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, "", "rolling", nil))
		Expect(err).NotTo(HaveOccurred())
		f.setEnv(app.GUID, "CRASH", "")
		second, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, "", "rolling", nil))
		Expect(err).NotTo(HaveOccurred())
		f.waitDeployment(first.GUID, "FINALIZED", "SUPERSEDED")
		f.waitDeployment(second.GUID, "FINALIZED", "DEPLOYED")
		Expect(f.webCounts(app.GUID)).To(Equal("3"))
	})

	It("rolls back to an earlier revision with a new revision", func() {
		revs, err := f.cf.Revisions.ListForAppAll(ctx, app.GUID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(revs).To(HaveLen(1))
		Expect(revs[0].Description).To(Equal("Initial revision."))
		d, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, "", "rolling", nil))
		Expect(err).NotTo(HaveOccurred())
		f.waitDeployment(d.GUID, "FINALIZED", "DEPLOYED")
		Eventually(func() string { return get(f.info.LBURL, f.host("rolled"), "/").body }).Should(Equal("version=v2"))

		back := resource.NewDeploymentCreate(app.GUID)
		back.Revision = &resource.DeploymentRevision{GUID: revs[0].GUID}
		rb, err := f.cf.Deployments.Create(ctx, back)
		Expect(err).NotTo(HaveOccurred())
		f.waitDeployment(rb.GUID, "FINALIZED", "DEPLOYED")
		Eventually(func() string { return get(f.info.LBURL, f.host("rolled"), "/").body }, 5*time.Second).Should(Equal("version=v1"))
		latest, err := f.cf.Revisions.Get(ctx, f.getDeployment(rb.GUID).Revision.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(latest.Version).To(Equal(3))
		Expect(latest.Description).To(ContainSubstring("Rolled back to revision 1."))

		_, err = f.cf.Deployments.Create(ctx, back)
		Expect(err).To(MatchError(ContainSubstring("Unable to rollback. The code and configuration you are rolling back to is the same as the deployed revision.")))
	})
})

func deploymentOf(appGUID, droplet, strategy string, weights []int) *resource.DeploymentCreate {
	d := resource.NewDeploymentCreate(appGUID)
	if droplet != "" {
		d.Droplet = &resource.Relationship{GUID: droplet}
	}
	d.Strategy = strategy
	if weights != nil {
		var steps []resource.CanaryStep
		for _, w := range weights {
			steps = append(steps, resource.CanaryStep{InstanceWeight: w})
		}
		d.Options = &resource.DeploymentOptions{Canary: &resource.DeploymentCanaryOptions{Steps: steps}}
	}
	return d
}

func (f *foundation) setEnv(appGUID, k, v string) {
	val := &v
	if v == "" {
		val = nil
	}
	_, err := f.cf.Applications.SetEnvironmentVariables(context.Background(), appGUID, map[string]*string{k: val})
	Expect(err).NotTo(HaveOccurred())
}

func (f *foundation) getDeployment(guid string) *resource.Deployment {
	d, err := f.cf.Deployments.Get(context.Background(), guid)
	Expect(err).NotTo(HaveOccurred())
	return d
}

func (f *foundation) waitDeployment(guid, value, reason string) {
	Eventually(func() string {
		d := f.getDeployment(guid)
		return d.Status.Value + "/" + d.Status.Reason
	}, 20*time.Second, 50*time.Millisecond).Should(Equal(value + "/" + reason))
}

// webCounts is the instance counts of the app's web processes, oldest first: "3+1".
func (f *foundation) webCounts(appGUID string) string {
	opts := client.NewProcessOptions()
	opts.Types.EqualTo("web")
	procs, err := f.cf.Processes.ListForAppAll(context.Background(), appGUID, opts)
	Expect(err).NotTo(HaveOccurred())
	out := ""
	for i, p := range procs {
		if i > 0 {
			out += "+"
		}
		out += fmt.Sprint(p.Instances)
	}
	return out
}

// watchWebSteps records every distinct web-process count until the deployment finalizes.
func (f *foundation) watchWebSteps(appGUID, deployment string) []string {
	var steps []string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c := f.webCounts(appGUID)
		if len(steps) == 0 || steps[len(steps)-1] != c {
			steps = append(steps, c)
		}
		if f.getDeployment(deployment).Status.Value == "FINALIZED" {
			c = f.webCounts(appGUID)
			if steps[len(steps)-1] != c {
				steps = append(steps, c)
			}
			return steps
		}
		time.Sleep(20 * time.Millisecond)
	}
	Fail(fmt.Sprintf("deployment did not finish; steps seen %v", steps))
	return nil
}
