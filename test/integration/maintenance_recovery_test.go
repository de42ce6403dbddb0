package integration_test

import (
	"context"
	"strings"
	"syscall"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("out: maintenance survives deploys, failures, aborts and kills", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.deploy("v1", nil)
		w.waitServing("v1")
	})

	It("the README's pipeline (on, a blue-green deploy, off) ends with the new version serving and the responder gone", func() {
		l := w.startLoad()
		Expect(w.out(w.maintenance("on", nil)).code).To(Equal(0))
		deploy := w.deploy("v2", nil)
		Expect(deploy.stderr).To(ContainSubstring("stay on the responder until maintenance off"))
		Expect(w.serves(20)).To(Equal(map[string]int{"503 maintenance": 20}), "the deploy took the routes off the responder")
		Expect(w.inMaintenance()).To(Equal("on"), "the new version does not know it is in maintenance")
		off := w.out(w.maintenance("off", nil))
		Expect(off.code).To(Equal(0), off.stderr)
		l.expectNoFailures()
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v2": 20}))
		Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}))
		Expect(w.routes()).To(Equal([]string{w.host()}))
	})

	// Each step of on: the routes recorded, the responder pushed, the routes moving (on both
	// apps, then on the responder alone while the app is proven gone).
	steps := []TableEntry{
		Entry("once the routes are recorded", abortAt{marker: "✓\x1b[0m record the routes to move"}),
		Entry("while the responder stages", abortAt{marker: "✓\x1b[0m record the routes to move", state: (*world).responderStaging}),
		Entry("mid move, the route on both", abortAt{marker: "✓\x1b[0m responder myapp-maintenance", state: (*world).routeOnResponder}),
		Entry("mid move, the app unmapped", abortAt{marker: "✓\x1b[0m responder myapp-maintenance", state: (*world).routeOffApp}),
	}
	// A kill can also land once the routes moved, before the switch is marked on (a SIGTERM
	// there lets the last, quick step finish).
	killSteps := append(steps, Entry("once the routes moved", abortAt{marker: "✓\x1b[0m move routes to myapp-maintenance"}))
	afterwards := func(l *load) {
		GinkgoHelper()
		// CC cannot cancel a build: one the stopped switch left staging must end before the
		// responder can be staged again (CF-StagingInProgress).
		Eventually(w.stagingBuilds, time.Minute, 100*time.Millisecond).Should(BeEmpty())
		rerun := w.out(w.maintenance("on", nil))
		Expect(rerun.code).To(Equal(0), rerun.stderr)
		Expect(w.serves(20)).To(Equal(map[string]int{"503 maintenance": 20}))
		off := w.out(w.maintenance("off", nil))
		Expect(off.code).To(Equal(0), off.stderr)
		l.expectNoFailures()
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		Expect(w.apps()).To(Equal([]string{"myapp:STARTED"}), "the responder goes once it serves nothing")
		Expect(w.inMaintenance()).To(Equal("off"))
	}

	DescribeTable("on killed (SIGKILL) at each step: a rerun finishes it, and off brings the app back",
		func(at abortAt) {
			l := w.startLoad()
			s := w.startOut(w.maintenance("on", nil))
			w.waitFor(s, at)
			s.Signal(syscall.SIGKILL)
			Eventually(s, 10*time.Second).Should(gexec.Exit())
			afterwards(l)
		}, killSteps)

	DescribeTable("on aborted (SIGTERM) at each step: stops at once saying where every route is; a rerun finishes it, and off brings the app back",
		func(at abortAt) {
			l := w.startLoad()
			r := w.signalAt(w.maintenance("on", nil), at, syscall.SIGTERM)
			expectAborted(r, "terminated", "running the switch again (on or off) finishes it")
			afterwards(l)
		}, steps)

	It("off after the responder was deleted by hand still gives the routes back to the app", func() {
		Expect(w.out(w.maintenance("on", nil)).code).To(Equal(0))
		job, err := w.cf.Applications.Delete(context.Background(), w.appNamed("myapp-maintenance").GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.Jobs.PollComplete(context.Background(), job, nil)).To(Succeed())
		off := w.out(w.maintenance("off", nil))
		Expect(off.code).To(Equal(0), off.stderr)
		Expect(off.stderr).To(ContainSubstring("responder myapp-maintenance is gone"))
		w.waitServing("v1")
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		Expect(w.inMaintenance()).To(Equal("off"))
	})
})

var _ = Describe("out: finalize held up past the lease's TTL", func() {
	It("is not joined by a second deploy: the lease is renewed until the candidate is renamed", func() {
		w := newWorld()
		w.deploy("v1", nil)
		w.waitServing("v1")
		l := w.startLoad()
		// CC takes 4 s to stop the old app: twice the lease's TTL.
		Expect(w.sim.AddFault(cfsim.Fault{Method: "POST", Path: `^/v3/apps/[^/]+/actions/stop$`, Times: 1,
			Latency: 4 * time.Second})).To(Succeed())
		first := w.startOut(w.request("v2", map[string]any{"lease_ttl": "2s"}))
		Eventually(func() string { return string(first.Err.Contents()) }, time.Minute, 10*time.Millisecond).
			Should(ContainSubstring("finalizing: myapp-candidate"))
		second := w.startOut(w.request("v3", map[string]any{"lease_ttl": "2s"}))
		Eventually(first, time.Minute).Should(gexec.Exit(0))
		Eventually(second, 2*time.Minute).Should(gexec.Exit(0))
		log := string(second.Err.Contents())
		Expect(log).To(ContainSubstring("waiting for its lease"))
		Expect(log).NotTo(ContainSubstring("healing"), "the second deploy took a live lease for an interrupted one")
		l.expectNoFailures()
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v3": 20}))
		Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}))
	})
})

// maintenance is a put that switches the app's maintenance, without a manifest.
func (w *world) maintenance(state string, extra map[string]any) map[string]any {
	m := map[string]any{"state": state, "message": "Back soon", "retry_after": 120}
	for k, v := range extra {
		m[k] = v
	}
	req := w.request("", nil)
	params := req["params"].(map[string]any)
	delete(params, "manifest")
	delete(params, "vars")
	params["app_name"], params["maintenance"] = appName, m
	return req
}

// waitFor waits until out's log shows at's marker and the foundation reaches its state.
func (w *world) waitFor(s *gexec.Session, at abortAt) {
	GinkgoHelper()
	marker := strings.ReplaceAll(at.marker, "%s", w.host())
	Eventually(func() string { return string(s.Err.Contents()) }, 2*time.Minute, 5*time.Millisecond).Should(ContainSubstring(marker))
	if at.state != nil {
		Eventually(func() bool { return at.state(w) }, time.Minute, 20*time.Millisecond).Should(BeTrue(), "after %q", marker)
	}
}

// responderStaging reports whether the responder's build is under way.
func (w *world) responderStaging() bool {
	return len(w.stagingBuilds()) > 0
}

// routeOffApp reports whether the app's route is on the responder and no longer on the app:
// the switch is proving the app gone.
func (w *world) routeOffApp() bool {
	return w.routeOnResponder() && !w.routeOn(w.appNamedOrNil(appName))
}

// routeOnResponder reports whether the app's route is mapped to the responder (and maybe the
// app: the move is halfway).
func (w *world) routeOnResponder() bool {
	return w.routeOn(w.appNamedOrNil("myapp-maintenance"))
}

// routeOn reports whether the app's route is mapped to the app with that guid.
func (w *world) routeOn(appGUID string) bool {
	opts := client.NewRouteListOptions()
	opts.Hosts.EqualTo(appName)
	routes, err := w.cf.Routes.ListAll(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	for _, r := range routes {
		for _, d := range r.Destinations {
			if appGUID != "" && d.App.GUID != nil && *d.App.GUID == appGUID {
				return true
			}
		}
	}
	return false
}

// appNamedOrNil is the guid of the app of that name, "" when there is none.
func (w *world) appNamedOrNil(name string) string {
	opts := client.NewAppListOptions()
	opts.Names.EqualTo(name)
	apps, err := w.cf.Applications.ListAll(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	if len(apps) == 0 {
		return ""
	}
	return apps[0].GUID
}
