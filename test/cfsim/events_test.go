package cfsim_test

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("audit events, list order and embedded process instances", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("records what the user did to an app as audit.app.* events, oldest first or newest first", func() {
		app, droplet := f.push(pushOpts{name: "evented", version: "v1"})
		_, err := f.cf.Applications.Stop(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Applications.Start(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		f.setEnv(app.GUID, "COLOR", "blue")
		instances := 2
		_, err = f.cf.Processes.Scale(ctx, f.webProcess(app.GUID), &resource.ProcessScale{Instances: &instances})
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Applications.Restart(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, droplet, "rolling", nil))
		Expect(err).NotTo(HaveOccurred())

		oldestFirst := []string{"audit.app.create", "audit.app.apply_manifest", "audit.app.map-route",
			"audit.app.droplet.mapped", "audit.app.start",
			"audit.app.stop", "audit.app.start", "audit.app.update", "audit.app.process.scale", "audit.app.restart",
			"audit.app.deployment.create"}
		Expect(eventTypes(f.events(app.GUID, ""))).To(Equal(oldestFirst))
		newest := f.events(app.GUID, "-created_at")
		var newestFirst []string
		for i := len(oldestFirst) - 1; i >= 0; i-- {
			newestFirst = append(newestFirst, oldestFirst[i])
		}
		Expect(eventTypes(newest)).To(Equal(newestFirst))

		for _, e := range newest {
			Expect(e.Actor.Type).To(Equal("user"))
			Expect(e.Actor.Name).To(Equal(f.info.Username))
			Expect(e.Actor.GUID).To(Equal(newest[0].Actor.GUID))
			Expect(e.Target.Name).To(Equal("evented"))
		}
		Expect(auditData(newest[0])).To(HaveKeyWithValue("strategy", "rolling"))
		Expect(auditData(newest[3])).To(HaveKeyWithValue("request", map[string]any{"environment_variables": "[PRIVATE DATA HIDDEN]"}))
		Expect(auditData(newest[len(newest)-2])["request"]).To(HaveKeyWithValue("manifest", ContainSubstring("env: '[PRIVATE DATA HIDDEN]'")))
		Expect(newest[0].Space.GUID).To(Equal(f.SpaceGUID))
		Expect(newest[0].Organization.GUID).To(Equal(f.orgGUID()))
	})

	It("refuses an order_by the list does not know", func() {
		opts := client.NewAuditEventListOptions()
		opts.OrderBy = "type"
		_, err := f.cf.AuditEvents.ListAll(ctx, opts)
		Expect(err).To(MatchError(ContainSubstring("Order by can only be: 'created_at', 'updated_at'")))
	})

	It("orders apps by name when asked, as cf apps does", func() {
		for _, name := range []string{"bravo", "alpha", "charlie"} {
			_, err := f.cf.Applications.Create(ctx, resource.NewAppCreate(name, f.SpaceGUID))
			Expect(err).NotTo(HaveOccurred())
		}
		for order, want := range map[string][]string{"name": {"alpha", "bravo", "charlie"}, "-name": {"charlie", "bravo", "alpha"},
			"": {"bravo", "alpha", "charlie"}} {
			opts := client.NewAppListOptions()
			opts.OrderBy = order
			apps, err := f.cf.Applications.ListAll(ctx, opts)
			Expect(err).NotTo(HaveOccurred())
			var names []string
			for _, a := range apps {
				names = append(names, a.Name)
			}
			Expect(names).To(Equal(want), "order_by=%q", order)
		}
	})

	It("embeds each process's instances with their state and age when asked", func() {
		app, _ := f.push(pushOpts{name: "counted", version: "v1", instances: 2})
		f.waitRunning(app.GUID, 2)
		path := "/v3/processes?space_guids=" + f.SpaceGUID + "&embed=process_instances"
		instances := f.embeddedInstances(path)
		Expect(instances).To(HaveLen(2))
		for i, inst := range instances {
			Expect(inst["index"]).To(BeNumerically("==", i))
			Expect(inst["state"]).To(Equal("RUNNING"))
			Expect(inst["since"]).To(BeNumerically(">=", 0))
		}
		Expect(f.embeddedInstances("/v3/apps/" + app.GUID + "/processes?embed=process_instances")).To(HaveLen(2))

		_, err := f.cf.Applications.Stop(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		for _, inst := range f.embeddedInstances(path) {
			Expect(inst["state"]).To(Equal("DOWN"))
			Expect(inst).To(HaveKeyWithValue("since", BeNil()))
		}
		status, body := f.raw(http.MethodGet, "/v3/processes?embed=stats", "", "")
		Expect(status).To(Equal(400))
		Expect(body).To(ContainSubstring("Invalid embedded resource: 'stats'. Valid embedded resources are: 'process_instances'"))
	})
})

func (f *foundation) events(appGUID, order string) []*resource.AuditEvent {
	opts := client.NewAuditEventListOptions()
	opts.TargetGUIDs.EqualTo(appGUID)
	opts.OrderBy = order
	events, err := f.cf.AuditEvents.ListAll(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return events
}

func eventTypes(events []*resource.AuditEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

// embeddedInstances lists the process_instances of the first process a list returns.
func (f *foundation) embeddedInstances(path string) []map[string]any {
	status, body := f.raw(http.MethodGet, path, "", "")
	Expect(status).To(Equal(200), body)
	var page struct {
		Resources []struct {
			Instances []map[string]any `json:"process_instances"`
		} `json:"resources"`
	}
	Expect(json.Unmarshal([]byte(body), &page)).To(Succeed())
	Expect(page.Resources).NotTo(BeEmpty())
	return page.Resources[0].Instances
}

func auditData(e *resource.AuditEvent) map[string]any {
	var data map[string]any
	Expect(json.Unmarshal(*e.Data, &data)).To(Succeed())
	return data
}
