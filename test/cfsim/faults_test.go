package cfsim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("crashing apps", func() {
	var f *foundation
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1, CrashBackoff: 2 * time.Second}) })
	AfterEach(func() { f.close() })

	It("shows CRASHED instances and records crash events with the exit reason", func() {
		app, _ := f.push(pushOpts{name: "crasher", version: "v1", env: map[string]string{"CRASH": "start"}})
		Eventually(func() int { return len(f.crashEvents(app.GUID)) }, 10*time.Second, 20*time.Millisecond).
			Should(Equal(4), "three immediate restarts, then the back-off")
		Consistently(func() []string { return f.states(app.GUID) }, time.Second, 50*time.Millisecond).
			Should(Equal([]string{"CRASHED"}))
		Expect(f.crashEvents(app.GUID)).To(HaveLen(4), "no restart during the back-off")
		stats, err := f.cf.Processes.GetStatsForApp(context.Background(), app.GUID, "web")
		Expect(err).NotTo(HaveOccurred())
		Expect(stats.Stats[0].Routable).To(BeFalse())
		events := f.crashEvents(app.GUID)
		Expect(eventData(events[0])).To(HaveKeyWithValue("exit_description", "APP/PROC/WEB: Exited with status 1"))
		Expect(get(f.info.LBURL, f.host("crasher"), "/").status).To(Equal(404))
	})

	It("crashes an instance whose health check never passes within its timeout", func() {
		ctx := context.Background()
		app, _ := f.push(pushOpts{name: "sick", version: "v1", env: map[string]string{"HEALTH": "fail"}, noStart: true})
		proc := f.webProcess(app.GUID)
		timeout := 1
		_, err := f.cf.Processes.Update(ctx, proc, &resource.ProcessUpdate{HealthCheck: &resource.ProcessHealthCheck{
			Type: "http", Data: resource.ProcessHealthCheckData{Endpoint: strPtr("/health"), Timeout: &timeout}}})
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Applications.Start(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Consistently(func() []string { return f.states(app.GUID) }, 700*time.Millisecond, 50*time.Millisecond).
			Should(Equal([]string{"STARTING"}))
		Eventually(func() int { return len(f.crashEvents(app.GUID)) }, 5*time.Second, 50*time.Millisecond).Should(BeNumerically(">=", 1))
		Expect(eventData(f.crashEvents(app.GUID)[0])["exit_description"]).To(HavePrefix("Instance never healthy after 1s"))
	})
})

func strPtr(s string) *string { return &s }

func eventData(e *resource.AuditEvent) map[string]any {
	var data map[string]any
	Expect(json.Unmarshal(*e.Data, &data)).To(Succeed())
	return data
}

// rawToken logs in with the password grant as the cf CLI does and returns the access token.
func (f *foundation) rawToken() string {
	form := url.Values{"grant_type": {"password"}, "username": {f.info.Username}, "password": {f.info.Password}}
	req, err := http.NewRequest(http.MethodPost, f.info.UAAURL+"/oauth/token", strings.NewReader(form.Encode()))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("cf", "")
	resp, err := plain.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(200))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	Expect(json.NewDecoder(resp.Body).Decode(&tok)).To(Succeed())
	return tok.AccessToken
}

func (f *foundation) crashEvents(appGUID string) []*resource.AuditEvent {
	opts := client.NewAuditEventListOptions()
	opts.Types.EqualTo("audit.app.process.crash")
	opts.TargetGUIDs.EqualTo(appGUID)
	events, err := f.cf.AuditEvents.ListAll(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return events
}

var _ = Describe("quotas and uniqueness", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("refuses to start an app beyond the org's memory quota with CC's 422", func() {
		app, _ := f.push(pushOpts{name: "big", version: "v1", instances: 2, noStart: true})
		limit := 100
		f.sim.SetOrgQuota(cfsim.QuotaLimits{TotalMemoryMB: &limit})
		_, err := f.cf.Applications.Start(ctx, app.GUID)
		Expect(resource.IsUnprocessableEntityError(err)).To(BeTrue())
		Expect(err).To(MatchError(ContainSubstring("memory quota_exceeded")))
	})

	It("refuses a rolling deployment the space quota cannot hold, with CC's deployment text", func() {
		app, _ := f.push(pushOpts{name: "tight", version: "v1"})
		limit := 64
		f.sim.SetSpaceQuota(cfsim.QuotaLimits{TotalMemoryMB: &limit})
		_, err := f.cf.Deployments.Create(ctx, deploymentOf(app.GUID, "", "rolling", nil))
		Expect(err).To(MatchError(ContainSubstring("memory space_quota_exceeded for space " + f.info.Space +
			". This space's quota may not be large enough to support rolling deployments or your configured max-in-flight.")))
	})

	It("refuses staging beyond quota: staging memory counts too", func() {
		app, _ := f.push(pushOpts{name: "stager", version: "v1", noStart: true})
		limit := 512
		f.sim.SetOrgQuota(cfsim.QuotaLimits{TotalMemoryMB: &limit})
		pkg := f.readyPackage(app.GUID, appZip)
		_, err := f.cf.Builds.Create(ctx, resource.NewBuildCreate(pkg))
		Expect(err).To(MatchError(ContainSubstring("organization's memory limit exceeded: staging requires 1024M memory")))
	})

	It("answers name clashes with CF-UniquenessError on create and CF-UnprocessableEntity on rename", func() {
		a, err := f.cf.Applications.Create(ctx, resource.NewAppCreate("twin", f.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Applications.Create(ctx, resource.NewAppCreate("twin", f.SpaceGUID))
		Expect(err).To(MatchError(ContainSubstring("CF-UniquenessError|10016): App with the name 'twin' already exists.")))
		b, err := f.cf.Applications.Create(ctx, resource.NewAppCreate("other", f.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Applications.Update(ctx, b.GUID, &resource.AppUpdate{Name: "twin"})
		Expect(err).To(MatchError(ContainSubstring("CF-UnprocessableEntity|10008): App with the name 'twin' already exists.")))
		_, err = f.cf.Applications.Update(ctx, a.GUID, &resource.AppUpdate{})
		Expect(resource.IsUnprocessableEntityError(err)).To(BeTrue(), "go-cfclient's blank name is refused, as CC does")
	})

	It("refuses a route that already exists", func() {
		_, err := f.cf.Routes.Create(ctx, withHost(resource.NewRouteCreate(f.domain.GUID, f.SpaceGUID), "dup"))
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Routes.Create(ctx, withHost(resource.NewRouteCreate(f.domain.GUID, f.SpaceGUID), "dup"))
		Expect(err).To(MatchError(ContainSubstring("Route already exists with host 'dup' for domain '" + f.info.Domain + "'.")))
	})
})

var _ = Describe("tokens", func() {
	It("expires access tokens; go-cfclient refreshes and the call succeeds, a raw call gets 401 InvalidAuthToken", func() {
		f := startFoundation(cfsim.Config{Routers: 1, TokenTTL: 2 * time.Second})
		defer f.close()
		token := f.rawToken()
		time.Sleep(2100 * time.Millisecond)
		resp, body := rawGet(f.info.APIURL+"/v3/apps", "bearer "+token)
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(body).To(ContainSubstring("CF-InvalidAuthToken"))
		_, err := f.cf.Applications.ListAll(context.Background(), nil)
		Expect(err).NotTo(HaveOccurred())
		refreshes := 0
		for _, r := range f.sim.Requests() {
			if r.Path == "/oauth/token" {
				refreshes++
			}
		}
		Expect(refreshes).To(BeNumerically(">=", 2), "the login and at least one refresh")
	})
})

var _ = Describe("injected Cloud Controller faults", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("fails the matching calls the given number of times, logging them as injected", func() {
		Expect(f.sim.AddFault(cfsim.Fault{Method: "GET", Path: "^/v3/apps$", Status: 503, Times: 1})).To(Succeed())
		_, err := f.cf.Applications.ListAll(ctx, nil)
		Expect(err).To(MatchError(ContainSubstring("CF-ServiceUnavailable")))
		_, err = f.cf.Applications.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		injected := 0
		for _, r := range f.sim.Requests() {
			if r.Injected {
				injected++
				Expect(r.Status).To(Equal(503))
			}
		}
		Expect(injected).To(Equal(1))
	})

	It("can lose the answer after CC did the work, so a create must be reconciled by reading", func() {
		Expect(f.sim.AddFault(cfsim.Fault{Method: "POST", Path: "^/v3/apps$", Status: 502, After: true, Times: 1})).To(Succeed())
		_, err := f.cf.Applications.Create(ctx, resource.NewAppCreate("ghost", f.SpaceGUID))
		Expect(err).To(HaveOccurred())
		Expect(f.appNamed("ghost").Name).To(Equal("ghost"))
	})

	It("drops connections and adds latency", func() {
		// Unbounded: Go's transport retries an idempotent request once on a dropped reused connection.
		Expect(f.sim.AddFault(cfsim.Fault{Path: "^/v3/spaces$", Drop: true})).To(Succeed())
		_, err := f.cf.Spaces.ListAll(ctx, nil)
		Expect(err).To(MatchError(ContainSubstring("EOF")))
		f.sim.ClearFaults()
		Expect(f.sim.AddFault(cfsim.Fault{Path: "^/v3/spaces$", Latency: 300 * time.Millisecond})).To(Succeed())
		start := time.Now()
		_, err = f.cf.Spaces.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(time.Since(start)).To(BeNumerically(">=", 300*time.Millisecond))
	})

	It("fails a share of calls at the given rate", func() {
		Expect(f.sim.AddFault(cfsim.Fault{Path: "^/v3/spaces$", Status: 500, Rate: 0.3})).To(Succeed())
		failed := 0
		for i := 0; i < 100; i++ {
			if _, _, err := f.cf.Spaces.List(ctx, nil); err != nil {
				failed++
			}
		}
		Expect(failed).To(BeNumerically("~", 30, 15))
	})
})
