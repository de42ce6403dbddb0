package integration_test

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// The updater ticks every 2.5 s here (CC's default is 5 s): longer than the routers' largest
// lag, as on a healthy foundation. CAPI scales old instances down on its own schedule; when
// routers lag more than a tick, a rolling deployment drops requests whatever the client does.
const updaterTick = 2500 * time.Millisecond

var _ = Describe("out: rolling and canary deployments", func() {
	var w *world
	BeforeEach(func() {
		w = newWorldWith(updaterTick)
		w.write("manifest.yml", `applications:
- name: myapp
  memory: 64M
  instances: 4
  path: app
  health-check-type: http
  health-check-http-endpoint: /health
  timeout: 5
  env:
    VERSION: ((version))
`)
		r := w.out(w.rolling("v1", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stderr).To(ContainSubstring("pushing and starting it without a deployment"))
		w.waitServing("v1")
	})

	DescribeTable("rolls v1 to v2 with zero failed requests, keeping the app guid and recording the revision",
		func(maxInFlight int) {
			before := w.appNamed("myapp").GUID
			l := w.startLoad()
			r := w.out(w.rolling("v2", map[string]any{"max_in_flight": maxInFlight}))
			Expect(r.code).To(Equal(0), r.stderr)
			l.expectNoFailures()
			Expect(w.serves(30)).To(Equal(map[string]int{"200 v2": 30}))
			Expect(w.appNamed("myapp").GUID).To(Equal(before))
			md := metadataOf(r.stdout)
			Expect(md).To(HaveKeyWithValue("deployment_status", "DEPLOYED"))
			Expect(md).To(HaveKeyWithValue("revision", "2"))
			Expect(md).To(HaveKeyWithValue("previous_revision", "1"))
			Expect(md).To(HaveKeyWithValue("instances_replaced", "4"))
			Expect(r.stderr).To(ContainSubstring("only the new version serves " + w.host() + " on every router"))
		},
		Entry("max_in_flight 1", 1),
		Entry("max_in_flight 2", 2),
	)

	It("pauses a canary at 25/50/100, verifying each step through the routers, with zero failed requests", func() {
		l := w.startLoad()
		r := w.out(w.rolling("v2", map[string]any{"strategy": "canary", "canary_steps": []int{25, 50, 100},
			"smoke_checks": []any{map[string]any{"path": "/", "body_contains": "version=v2"}}}))
		Expect(r.code).To(Equal(0), r.stderr)
		l.expectNoFailures()
		for _, step := range []string{"canary step 1/3: 1 new instance serve", "canary step 2/3: 2 new instances", "canary step 3/3: 4 new instances"} {
			Expect(r.stderr).To(ContainSubstring(step))
		}
		Expect(w.serves(30)).To(Equal(map[string]int{"200 v2": 30}))
	})

	It("cancels a canary whose smoke check fails: the old version serves, env vars are restored", func() {
		l := w.startLoad()
		r := w.out(w.rolling("v2", map[string]any{"strategy": "canary",
			"environment_variables": map[string]any{"STATUS": "503"},
			"smoke_checks":          []any{map[string]any{"path": "/", "status": 200, "failure_limit": 2}}}))
		l.expectNoFailures()
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("smoke check"))
		Expect(r.stderr).To(ContainSubstring("the old version serves " + w.host() + " alone again on every router"))
		Expect(w.serves(30)).To(Equal(map[string]int{"200 v1": 30}))
		Expect(w.envOf("myapp")).To(HaveKeyWithValue("VERSION", "v1"))
		Expect(w.envOf("myapp")).NotTo(HaveKey("STATUS"))
	})

	It("cancels a v2 that crashes on start within the startup timeout, restoring env vars", func() {
		l := w.startLoad()
		r := w.out(w.rolling("v2", map[string]any{"environment_variables": map[string]any{"CRASH": "start"}, "startup_timeout": "1m"}))
		l.expectNoFailures()
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("crashed"))
		Expect(r.stderr).To(ContainSubstring("restored"))
		Expect(w.serves(30)).To(Equal(map[string]int{"200 v1": 30}))
		Expect(w.envOf("myapp")).NotTo(HaveKey("CRASH"))
		Expect(w.webProcessCount("myapp")).To(Equal(1))
	})

	It("rolls back to the previous revision when the observation window sees 500s after DEPLOYED", func() {
		l := w.startLoad()
		r := w.out(w.rolling("v2", map[string]any{"max_in_flight": 2, "environment_variables": map[string]any{"STATUS": "500"},
			"observe": map[string]any{"duration": "3s", "interval": "200ms"}}))
		l.expectNoFailures()
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("rolled back to revision 1, verified"))
		Expect(w.serves(30)).To(Equal(map[string]int{"200 v1": 30}))
	})

	It("restarts with the current droplet after an env change, rolls back to a revision, and cancels", func() {
		w.deploy("v2", map[string]any{"strategy": "rolling", "max_in_flight": 2})
		app := w.appNamed("myapp")
		_, err := w.cf.Applications.SetEnvironmentVariables(context.Background(), app.GUID, map[string]*string{"VERSION": ptr("v2-env")})
		Expect(err).NotTo(HaveOccurred())

		l := w.startLoad()
		r := w.out(w.action("restart", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v2-env": 20}))

		r = w.out(w.action("rollback", map[string]any{"revision": 1, "max_in_flight": 2}))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		l.expectNoFailures()

		paused := w.startCanary(app.GUID)
		r = w.out(w.action("cancel", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(w.deploymentReason(paused)).To(Equal("CANCELED"))
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
	})

	It("does not supersede another ACTIVE deployment: fails with on_active_deployment fail, else waits", func() {
		app := w.appNamed("myapp")
		paused := w.startCanary(app.GUID)
		r := w.out(w.rolling("v2", map[string]any{"on_active_deployment": "fail"}))
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("not superseding it (params.on_active_deployment: fail)"))
		Expect(w.deploymentReason(paused)).To(Equal("PAUSED"))

		s := w.startOut(w.rolling("v2", map[string]any{"max_in_flight": 2}))
		Eventually(s.Err, 20*time.Second).Should(gbytes.Say("waiting for it to end"))
		Expect(w.cf.Deployments.Cancel(context.Background(), paused)).To(Succeed())
		Eventually(s, 3*time.Minute).Should(gexec.Exit(0))
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v2": 20}))
	})
})

// action is a put request for an action on myapp, without a manifest.
func (w *world) action(name string, extra map[string]any) map[string]any {
	req := w.request("", extra)
	params := req["params"].(map[string]any)
	delete(params, "manifest")
	delete(params, "vars")
	params["action"], params["app_name"] = name, "myapp"
	return req
}

// startCanary starts a canary deployment of the current droplet that pauses at its first step,
// as another pipeline or a person would.
func (w *world) startCanary(appGUID string) string {
	d := resource.NewDeploymentCreate(appGUID)
	d.Strategy = "canary"
	dep, err := w.cf.Deployments.Create(context.Background(), d)
	Expect(err).NotTo(HaveOccurred())
	Eventually(func() string { return w.deploymentReason(dep.GUID) }, 30*time.Second, 100*time.Millisecond).Should(Equal("PAUSED"))
	return dep.GUID
}

func (w *world) deploymentReason(guid string) string {
	d, err := w.cf.Deployments.Get(context.Background(), guid)
	Expect(err).NotTo(HaveOccurred())
	return d.Status.Reason
}

func (w *world) webProcessCount(name string) int {
	opts := client.NewProcessOptions()
	opts.Types.EqualTo("web")
	procs, err := w.cf.Processes.ListForAppAll(context.Background(), w.appNamed(name).GUID, opts)
	Expect(err).NotTo(HaveOccurred())
	return len(procs)
}

func metadataOf(stdout string) map[string]string {
	var resp struct {
		Metadata []map[string]string `json:"metadata"`
	}
	Expect(json.Unmarshal([]byte(stdout), &resp)).To(Succeed())
	out := map[string]string{}
	for _, m := range resp.Metadata {
		out[m["name"]] = m["value"]
	}
	return out
}
