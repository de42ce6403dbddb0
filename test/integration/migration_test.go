package integration_test

import (
	"context"
	"fmt"
	"regexp"
	"syscall"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("out: a migration task before the new version takes traffic", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
	})

	// migrating is a put of v2 for the strategy with a migration running command.
	migrating := func(strategy, command string, extra map[string]any) map[string]any {
		m := map[string]any{"command": command}
		for k, v := range extra {
			m[k] = v
		}
		params := map[string]any{"strategy": strategy, "migration": m}
		if strategy == "canary" {
			params["canary_steps"] = []any{50, 100}
		}
		return w.request("v2", params)
	}
	deployed := func(strategy string) {
		w.deploy("v1", map[string]any{"strategy": strategy})
		w.waitServing("v1")
	}

	DescribeTable("runs once, on the new droplet, with the new env and bindings, before the new version serves",
		func(strategy, starts string) {
			creds := w.createUserProvidedService("creds", map[string]any{"url": "postgres://db"})
			deployed(strategy)
			w.bindByHand(creds, "")
			w.sim.ResetRequests()
			l := w.startLoad()
			r := w.out(migrating(strategy, "./versioned migrate", nil))
			Expect(r.code).To(Equal(0), r.stderr)
			l.expectNoFailures()
			Expect(r.stderr).To(ContainSubstring("migrating the schema to version=v2"), "the new env")
			Expect(r.stderr).To(ContainSubstring("bound services: creds"), "the bindings")
			Expect(w.requestOrder(`^POST /v3/apps/[^/]+/tasks$`, starts)).To(Succeed())
			Expect(metadataOf(r.stdout)).To(HaveKeyWithValue("migration_result", "SUCCEEDED"))
			Expect(w.serves(20)).To(Equal(map[string]int{"200 v2": 20}))
		},
		Entry("blue-green: before the candidate starts", "bluegreen", `^POST /v3/apps/[^/]+/actions/start$`),
		Entry("rolling: before the deployment", "rolling", `^POST /v3/deployments$`),
		Entry("canary: before the deployment", "canary", `^POST /v3/deployments$`),
	)

	DescribeTable("a failing migration (exit 3) leaves the old version serving, with its lines in the build log",
		func(strategy string) {
			deployed(strategy)
			l := w.startLoad()
			r := w.out(migrating(strategy, "./versioned migrate --exit 3", nil))
			Expect(r.code).NotTo(Equal(0))
			Expect(firstLine(r.stderr)).To(ContainSubstring("migrate: migration task migrate-"))
			Expect(r.stderr).To(ContainSubstring("Exited with status 3"))
			Expect(r.stderr).To(ContainSubstring("versioned migrate: failed with status 3"), "the task's own output")
			l.expectNoFailures()
			Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		},
		Entry("blue-green", "bluegreen"), Entry("rolling", "rolling"), Entry("canary", "canary"),
	)

	DescribeTable("cancels a migration that outlasts its timeout, the old version serving",
		func(strategy string) {
			deployed(strategy)
			r := w.out(migrating(strategy, "./versioned migrate --sleep 1m", map[string]any{"timeout": "2s"}))
			Expect(r.code).NotTo(Equal(0))
			Expect(r.stderr).To(ContainSubstring("the migration did not end within 2s (params.migration.timeout)"))
			Eventually(w.taskStates, 10*time.Second).Should(ConsistOf("FAILED"))
			Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		},
		Entry("blue-green", "bluegreen"), Entry("rolling", "rolling"),
	)

	DescribeTable("an abort during the migration cancels it and leaves the old version serving",
		func(strategy string) {
			deployed(strategy)
			l := w.startLoad()
			r := w.signalAt(migrating(strategy, "./versioned migrate --sleep 1m", nil),
				abortAt{marker: "runs ./versioned migrate --sleep 1m on the new droplet"}, syscall.SIGTERM)
			expectAborted(r, "terminated", "")
			Expect(r.stderr).To(MatchRegexp(`task migrate-\w+ cancelled`))
			Eventually(w.taskStates, 10*time.Second).Should(ConsistOf("FAILED"))
			Eventually(w.stagingBuilds, time.Minute, 100*time.Millisecond).Should(BeEmpty())
			l.expectNoFailures()
			Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		},
		Entry("blue-green", "bluegreen"), Entry("rolling", "rolling"),
	)

	DescribeTable("refuses a bad migration in one line naming the field, changing nothing",
		func(m map[string]any, want string) {
			deployed("bluegreen")
			w.sim.ResetRequests()
			r := w.out(w.request("v2", map[string]any{"migration": m}))
			Expect(r.code).NotTo(Equal(0))
			Expect(r.stderr).To(ContainSubstring(want))
			for _, req := range w.sim.Requests() {
				Expect(req.Mutating()).To(BeFalse(), "%s %s", req.Method, req.Path)
			}
		},
		Entry("without a command", map[string]any{"name": "migrate"}, "params.migration.command: required"),
		Entry("a bad memory size", map[string]any{"command": "./versioned migrate", "memory": "lots"},
			`params.migration.memory: "lots" must be a whole number with a unit`),
	)
})

// requestOrder checks, in cfsim's request log, that exactly one request matches first and that
// it came before the first request matching then.
func (w *world) requestOrder(first, then string) error {
	firstRe, thenRe := regexp.MustCompile(first), regexp.MustCompile(then)
	at, later, seen := -1, -1, 0
	for i, r := range w.sim.Requests() {
		line := r.Method + " " + r.Path
		if firstRe.MatchString(line) && r.Status < 300 {
			seen++
			if at < 0 {
				at = i
			}
		}
		if thenRe.MatchString(line) && later < 0 && r.Status < 300 {
			later = i
		}
	}
	switch {
	case seen != 1:
		return fmt.Errorf("%d requests matched %s, want one", seen, first)
	case later < 0 || at > later:
		return fmt.Errorf("%s (request %d) did not come before %s (request %d)", first, at, then, later)
	}
	return nil
}

// taskStates lists the states of every task in the space.
func (w *world) taskStates() []string {
	tasks, err := w.cf.Tasks.ListAll(context.Background(), client.NewTaskListOptions())
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, t := range tasks {
		out = append(out, t.State)
	}
	return out
}
