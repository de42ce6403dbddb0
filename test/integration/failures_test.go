package integration_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("out: every failure rolls back", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.deploy("v1", nil)
		w.waitServing("v1")
	})

	// failingDeploy deploys v2 under load with extra params and expects a clean rollback.
	failingDeploy := func(extra map[string]any, reason string) run {
		l := w.startLoad()
		r := w.out(w.request("v2", extra))
		l.expectNoFailures()
		Expect(r.code).NotTo(Equal(0))
		Expect(r.stdout).To(BeEmpty())
		Expect(firstLine(r.stderr)).To(HavePrefix("\x1b[31merror: "))
		Expect(firstLine(r.stderr)).To(ContainSubstring(reason))
		Expect(w.apps()).To(Equal([]string{"myapp:STARTED"}), "exactly one version, the one that served before")
		Expect(w.routes()).To(Equal([]string{w.host()}), "no temporary route left")
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		return r
	}

	It("rolls back when staging fails", func() {
		w.write("app/Procfile", "")
		failingDeploy(nil, "staging failed: BuildpackCompileFailed - App staging failed in the buildpack compile phase")
	})

	It("rolls back when the app crashes on start, printing the crash reason", func() {
		r := failingDeploy(map[string]any{"environment_variables": map[string]any{"CRASH": "start"}}, "crashed")
		Expect(r.stderr).To(ContainSubstring("APP/PROC/WEB: Exited with status 1"))
	})

	It("rolls back when the health check never passes", func() {
		failingDeploy(map[string]any{"environment_variables": map[string]any{"HEALTH": "fail"}}, "Instance never healthy after 5s")
	})

	It("rolls back when a smoke check fails on the temporary route", func() {
		failingDeploy(map[string]any{
			"environment_variables": map[string]any{"STATUS": "500"},
			"smoke_checks":          []any{map[string]any{"path": "/", "status": 200, "failure_limit": 2}},
		}, "smoke checks")
	})

	It("switches traffic back when the observation window sees 500s", func() {
		r := failingDeploy(map[string]any{
			"environment_variables": map[string]any{"STATUS": "500"},
			"observe":               map[string]any{"duration": "3s", "interval": "200ms"},
		}, "observe")
		Expect(r.stderr).To(ContainSubstring("switch back"))
	})

	It("fails at once, changing nothing, when the quota cannot hold a second copy", func() {
		limit := 200 // MB: v1 uses 128
		w.sim.SetOrgQuota(cfsim.QuotaLimits{TotalMemoryMB: &limit})
		w.sim.ResetRequests()
		r := w.out(w.request("v2", nil))
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("quota: organization cfsim-org has 72 MB of memory free; a second copy of myapp needs 1024 MB"))
		Expect(firstLine(r.stderr)).To(ContainSubstring("strategy: rolling"))
		for _, req := range w.sim.Requests() {
			Expect(req.Mutating()).To(BeFalse(), "%s %s", req.Method, req.Path)
		}
	})

	It("keeps the failed candidate stopped as APP-failed when asked", func() {
		l := w.startLoad()
		r := w.out(w.request("v2", map[string]any{"keep_failed": true,
			"environment_variables": map[string]any{"CRASH": "start"}}))
		l.expectNoFailures()
		Expect(r.code).NotTo(Equal(0))
		Expect(w.apps()).To(Equal([]string{"myapp-failed:STOPPED", "myapp:STARTED"}))
	})
})
