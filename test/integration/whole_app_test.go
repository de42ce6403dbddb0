package integration_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// workerManifest is the base app with a worker process (test/apps/versioned as `versioned
// worker`, from the Procfile): two web instances and one worker.
const workerManifest = baseManifest + `  processes:
  - type: worker
    instances: 1
    memory: 32M
    health-check-type: process
`

var _ = Describe("out carries the whole app", func() {
	var w *world
	BeforeEach(func() { w = newWorld() })

	withWorker := func() {
		w.write("app/Procfile", "web: ./versioned\nworker: ./versioned worker\n")
		w.write("manifest.yml", workerManifest)
	}

	DescribeTable("fails a deploy whose new worker crashes: the old web keeps serving and the old worker runs",
		func(strategy string) {
			withWorker()
			w.deploy("v1", map[string]any{"strategy": strategy})
			w.waitServing("v1")
			l := w.startLoad()
			r := w.out(w.request("v2", map[string]any{"strategy": strategy, "environment_variables": map[string]any{"WORKER_CRASH": "start"}}))
			Expect(r.code).NotTo(Equal(0))
			Expect(r.stderr).To(ContainSubstring("worker process: instance 0 crashed"))
			Expect(r.stderr).To(ContainSubstring("crashing at start because WORKER_CRASH=start"), "the worker's own output, from Log Cache")
			l.expectNoFailures()
			Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
			Eventually(func() string { return w.processStates("myapp", "worker") }, 30*time.Second).Should(Equal("RUNNING"))
		},
		Entry("blue-green", "bluegreen"),
		Entry("rolling", "rolling"),
	)

	It("deploys a worker-only app (no routes) blue-green: no temporary route, the old worker stopped once the new one settled", func() {
		w.write("app/Procfile", "web: ./versioned\nworker: ./versioned worker\n")
		w.write("manifest.yml", strings.Replace(workerManifest, "  instances: 2\n", "  instances: 0\n  no-route: true\n", 1))
		w.deploy("v1", nil)
		r := w.deploy("v2", nil)
		Expect(r.stderr).NotTo(ContainSubstring("temporary route"))
		Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}))
		Expect(w.routes()).To(BeEmpty())
		Expect(w.processStates("myapp", "worker")).To(Equal("RUNNING"))
		Expect(w.envOf("myapp")).To(HaveKeyWithValue("VERSION", "v2"))
	})

	It("binds the new app to the manifest's services and those bound by hand, with their names, before it takes traffic", func() {
		db := w.createManagedService("db")
		creds := w.createUserProvidedService("creds", map[string]any{"password": "s3cret-from-the-vault"})
		w.write("manifest.yml", baseManifest+"  services: [db]\n")
		w.deploy("v1", nil)
		w.bindByHand(creds, "secrets")
		l := w.startLoad()
		w.deploy("v2", nil)
		l.expectNoFailures()
		services := w.servedVCAPServices()
		Expect(services).To(HaveKey("postgres"))
		Expect(services["postgres"]).To(ContainElement(HaveKeyWithValue("name", "db")))
		Expect(services["user-provided"]).To(ContainElement(And(HaveKeyWithValue("name", "secrets"),
			HaveKeyWithValue("instance_name", "creds"))))
		Expect(w.bindingsOf("myapp")).To(ConsistOf("db:", "creds:secrets"))
		_ = db
	})

	It("keeps a hand-scaled app's instances, its network policies and a route's http2 protocol", func() {
		w.write("manifest.yml", strings.Replace(baseManifest, "  instances: 2\n", "", 1))
		w.deploy("v1", nil)
		w.scaleByHand("myapp", 3)
		other := w.createOtherApp("cart")
		w.addPolicy(w.appNamed("myapp").GUID, other)
		w.setProtocol(w.host(), "http2")
		l := w.startLoad()
		w.deploy("v2", nil)
		l.expectNoFailures()
		Expect(w.webInstances("myapp")).To(Equal(3))
		Expect(w.policiesFrom(w.appNamed("myapp").GUID)).To(ConsistOf(other))
		Expect(w.protocolOn(w.host(), "myapp")).To(Equal("http2"))
	})

	It("maps routes on two domains and an internal one, proving those the routers serve and waiting a grace for the internal one", func() {
		second, internal := appName+"."+w.info.SecondDomain, appName+"."+w.info.Internal
		w.write("manifest.yml", baseManifest+fmt.Sprintf("  routes:\n  - route: %s\n  - route: %s\n  - route: %s\n", w.host(), second, internal))
		w.deploy("v1", nil)
		l := w.startLoad()
		r := w.deploy("v2", map[string]any{"internal_route_grace": "1s"})
		l.expectNoFailures()
		Expect(r.stderr).To(ContainSubstring(internal + ": internal routes reach no router"))
		Expect(r.stderr).To(ContainSubstring("myapp-candidate serves " + second + " on every router"))
		Expect(w.routesOf("myapp")).To(ConsistOf(w.host(), second, internal))
		Expect(w.servesHost(second)).To(Equal("v2"))
	})

	It("with exact_routes unmaps a route the manifest no longer names, proven gone", func() {
		second := appName + "." + w.info.SecondDomain
		w.write("manifest.yml", baseManifest+fmt.Sprintf("  routes:\n  - route: %s\n  - route: %s\n", w.host(), second))
		w.deploy("v1", nil)
		w.write("manifest.yml", baseManifest+fmt.Sprintf("  routes:\n  - route: %s\n", w.host()))
		r := w.deploy("v2", map[string]any{"exact_routes": true})
		Expect(r.stderr).To(ContainSubstring("myapp is gone from " + second + " on every router"))
		Expect(w.routesOf("myapp")).To(ConsistOf(w.host()))
		Expect(w.servesHost(second)).To(Equal("404 unknown_route"))
	})

	DescribeTable("prints what a failed version logged before it is removed",
		func(extra map[string]any, prepare func(), want string) {
			w.deploy("v1", nil)
			if prepare != nil {
				prepare()
			}
			r := w.out(w.request("v2", extra))
			Expect(r.code).NotTo(Equal(0))
			Expect(r.stderr).To(MatchRegexp(`last \d+ lines of myapp(-candidate)?'s (staging|instances) \(Log Cache\)`))
			Expect(r.stderr).To(ContainSubstring(want))
			Expect(r.stderr).To(ContainSubstring("cf logs"))
		},
		Entry("staging fails", nil, func() { w.write("app/Procfile", "web: ./missing-binary\n") }, "[STG"),
		Entry("an instance crashes", map[string]any{"environment_variables": map[string]any{"CRASH": "start"}}, nil,
			"crashing at start because CRASH=start"),
		Entry("a smoke check fails", map[string]any{"environment_variables": map[string]any{"STATUS": "500"},
			"smoke_checks": []any{map[string]any{"path": "/", "successes": 1, "failure_limit": 1}}}, nil, "listening on"),
		Entry("rolling: an instance crashes", map[string]any{"strategy": "rolling", "environment_variables": map[string]any{"CRASH": "start"}}, nil,
			"crashing at start because CRASH=start"),
	)

	DescribeTable("refuses bad input in one line naming the field, before anything changes",
		func(manifest string, extra map[string]any, want string) {
			w.deploy("v1", nil)
			w.write("manifest.yml", manifest)
			w.sim.ResetRequests()
			r := w.out(w.request("v2", extra))
			Expect(r.code).NotTo(Equal(0))
			Expect(strings.TrimSpace(r.stderr)).To(HaveSuffix(want))
			for _, req := range w.sim.Requests() {
				Expect(req.Mutating()).To(BeFalse(), "%s %s", req.Method, req.Path)
			}
		},
		Entry("smoke checks on an app without routes", baseManifest+"  no-route: true\n",
			map[string]any{"smoke_checks": []any{map[string]any{"path": "/"}}}, "params.smoke_checks: app myapp has no routes (no-route in the manifest): there is nothing to check\x1b[0m"),
		Entry("a route on an unknown domain", baseManifest+"  routes:\n  - route: myapp.nowhere.example.org\n", nil,
			`params.manifest: route "myapp.nowhere.example.org": no domain of this foundation matches it`+"\x1b[0m"),
		Entry("a binding to a missing service instance", baseManifest+"  services: [nope]\n", nil,
			`params.manifest: services: service instance "nope" does not exist in space cfsim-space (cf create-service or cf create-user-provided-service first)`+"\x1b[0m"),
	)
})

// processStates lists the states of an app's process type's instances, joined.
func (w *world) processStates(app, processType string) string {
	stats, err := w.cf.Processes.GetStatsForApp(context.Background(), w.appNamed(app).GUID, processType)
	Expect(err).NotTo(HaveOccurred())
	var states []string
	for _, s := range stats.Stats {
		states = append(states, s.State)
	}
	return strings.Join(states, ",")
}

func (w *world) webInstances(app string) int { return w.webProcess(app).Instances }

func (w *world) webProcess(app string) *resource.Process {
	opts := client.NewProcessOptions()
	opts.Types.EqualTo("web")
	p, err := w.cf.Processes.FirstForApp(context.Background(), w.appNamed(app).GUID, opts)
	Expect(err).NotTo(HaveOccurred())
	return p
}

func (w *world) scaleByHand(app string, instances int) {
	p := w.webProcess(app)
	_, err := w.cf.Processes.Scale(context.Background(), p.GUID, &resource.ProcessScale{Instances: &instances})
	Expect(err).NotTo(HaveOccurred())
	w.waitServing("v1")
}

// createManagedService makes an instance of the broker's asynchronous postgres offering and
// waits for it.
func (w *world) createManagedService(name string) string {
	ctx := context.Background()
	opts := client.NewServicePlanListOptions()
	opts.ServiceOfferingNames.EqualTo("postgres")
	plan, err := w.cf.ServicePlans.First(ctx, opts)
	Expect(err).NotTo(HaveOccurred())
	job, err := w.cf.ServiceInstances.CreateManaged(ctx, resource.NewServiceInstanceCreateManaged(name, w.spaceGUID(), plan.GUID))
	Expect(err).NotTo(HaveOccurred())
	Expect(w.cf.Jobs.PollComplete(ctx, job, nil)).To(Succeed())
	sopts := client.NewServiceInstanceListOptions()
	sopts.Names.EqualTo(name)
	si, err := w.cf.ServiceInstances.Single(ctx, sopts)
	Expect(err).NotTo(HaveOccurred())
	return si.GUID
}

func (w *world) createUserProvidedService(name string, credentials map[string]any) string {
	r := resource.NewServiceInstanceCreateUserProvided(name, w.spaceGUID())
	creds, _ := json.Marshal(credentials)
	raw := json.RawMessage(creds)
	r.Credentials = &raw
	si, err := w.cf.ServiceInstances.CreateUserProvided(context.Background(), r)
	Expect(err).NotTo(HaveOccurred())
	return si.GUID
}

// bindByHand binds the app as cf bind-service --binding-name does.
func (w *world) bindByHand(instance, bindingName string) {
	r := resource.NewServiceCredentialBindingCreateApp(instance, w.appNamed(appName).GUID)
	r.Name = &bindingName
	job, _, err := w.cf.ServiceCredentialBindings.Create(context.Background(), r)
	Expect(err).NotTo(HaveOccurred())
	if job != "" {
		Expect(w.cf.Jobs.PollComplete(context.Background(), job, nil)).To(Succeed())
	}
}

// bindingsOf lists an app's bindings as "instance:binding name".
func (w *world) bindingsOf(app string) []string {
	opts := client.NewServiceCredentialBindingListOptions()
	opts.AppGUIDs.EqualTo(w.appNamed(app).GUID)
	bindings, err := w.cf.ServiceCredentialBindings.ListAll(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, b := range bindings {
		si, err := w.cf.ServiceInstances.Get(context.Background(), b.Relationships.ServiceInstance.Data.GUID)
		Expect(err).NotTo(HaveOccurred())
		name := ""
		if b.Name != nil {
			name = *b.Name
		}
		out = append(out, si.Name+":"+name)
	}
	return out
}

// servedVCAPServices is what the app serving the route says its VCAP_SERVICES is.
func (w *world) servedVCAPServices() map[string][]map[string]any {
	r := getPath(w.info.LBURL, w.host(), "/env/VCAP_SERVICES")
	Expect(r.status).To(Equal(200), r.body)
	var out map[string][]map[string]any
	Expect(json.Unmarshal([]byte(r.body), &out)).To(Succeed(), r.body)
	return out
}

func (w *world) spaceGUID() string {
	opts := client.NewSpaceListOptions()
	opts.Names.EqualTo(w.info.Space)
	s, err := w.cf.Spaces.Single(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return s.GUID
}
