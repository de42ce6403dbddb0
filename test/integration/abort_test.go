package integration_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

// Concourse aborts a build's put by signalling out: SIGTERM, then SIGKILL 10 s later. Each
// entry below is its own spec on its own foundation, so they run in parallel.
const concourseGrace = 10 * time.Second

// abortAt is where a spec signals out: as soon as its log shows marker (with %s the app's
// host) and, when set, the foundation reaches a state. before, when set, prepares the
// foundation before out starts.
type abortAt struct {
	marker string
	state  func(w *world) bool
	before func(w *world)
}

// slowRenames makes CC answer app updates late, so that the signal lands while finalize renames.
func slowRenames(w *world) {
	Expect(w.sim.AddFault(cfsim.Fault{Method: "PATCH", Path: `^/v3/apps/[^/]+$`, Latency: 300 * time.Millisecond})).To(Succeed())
}

// aborted is a finished out that was signalled, and how long it took to stop.
type aborted struct {
	run
	took time.Duration
}

// signalAt starts out with req and sends it sig where at says, then waits for it to exit.
func (w *world) signalAt(req map[string]any, at abortAt, sig os.Signal) aborted {
	if at.before != nil {
		at.before(w)
	}
	s := w.startOut(req)
	marker := strings.ReplaceAll(at.marker, "%s", w.host())
	Eventually(func() bool { return strings.Contains(string(s.Err.Contents()), marker) }, 2*time.Minute, 5*time.Millisecond).
		Should(BeTrue(), "out never reached %q", marker)
	if at.state != nil {
		Eventually(func() bool { return at.state(w) }, time.Minute, 50*time.Millisecond).Should(BeTrue(), "after %q", marker)
	}
	sent := time.Now()
	s.Signal(sig)
	Eventually(s, time.Minute).Should(gexec.Exit())
	r := aborted{run: run{code: s.ExitCode(), stdout: string(s.Out.Contents()), stderr: string(s.Err.Contents())}, took: time.Since(sent)}
	GinkgoWriter.Printf("out stopped %s after the signal\n", r.took)
	return r
}

// expectAborted asserts out exited non-zero within Concourse's grace period, printing nothing
// on stdout and, as its last line, that it was aborted and what it left.
func expectAborted(r aborted, signal, left string) {
	ExpectWithOffset(1, r.code).NotTo(Equal(0), "out succeeded:\n%s", r.stderr)
	ExpectWithOffset(1, r.stdout).To(BeEmpty())
	ExpectWithOffset(1, firstLine(r.stderr)).To(HavePrefix("\x1b[31merror: aborted (" + signal + " signal received) at "))
	ExpectWithOffset(1, firstLine(r.stderr)).To(ContainSubstring(left))
	ExpectWithOffset(1, r.took).To(BeNumerically("<", concourseGrace), "SIGKILL would have cut the recovery short")
}

// Pieces of the last line, per state the abort leaves.
const (
	untouched    = "no live traffic had moved; myapp-candidate and its temporary route were removed: myapp ("
	switchedBack = "traffic was switched back to myapp, proven on every router; myapp-candidate and its temporary route were removed: myapp ("
	finalized    = "myapp-candidate already served every route alone, so finalize was finished: it is myapp ("
	envPutBack   = "no deployment was created and the env vars the manifest changed were put back: revision 1 serves, as before"
	cancelled    = " was cancelled (CANCELED) and the env vars the manifest changed were put back: revision 1 serves alone, as before, proven on every router"
	keptNew      = " had finished: revision 2 serves alone ("
)

var _ = Describe("out: aborted by Concourse (SIGTERM or SIGINT)", func() {
	Context("blue-green", func() {
		var w *world
		BeforeEach(func() {
			w = newWorld()
			w.deploy("v1", nil)
			w.waitServing("v1")
		})

		DescribeTable("stops, leaves one serving version with nothing left over, exits non-zero saying so, and the next deploy succeeds",
			func(at abortAt, extra map[string]any, sig syscall.Signal, left, serving string) {
				l := w.startLoad()
				r := w.signalAt(w.request("v2", extra), at, sig)
				expectAborted(r, map[syscall.Signal]string{syscall.SIGTERM: "terminated", syscall.SIGINT: "interrupt"}[sig], left)
				w.sim.ClearFaults() // the next deploy meets a healthy CC
				if serving == "v2" {
					Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}))
				} else {
					Expect(w.apps()).To(Equal([]string{"myapp:STARTED"}), "the candidate (the lease) is left")
				}
				Expect(w.routes()).To(Equal([]string{w.host()}), "the temporary route is left")
				Expect(w.serves(20)).To(Equal(map[string]int{"200 " + serving: 20}))

				next := w.deploy("v3", nil)
				Expect(next.stderr).NotTo(ContainSubstring("healing"), "the aborted deploy left something to heal")
				l.expectNoFailures()
				Expect(w.serves(20)).To(Equal(map[string]int{"200 v3": 20}))
			},
			Entry("once the lease is taken", abortAt{marker: "✓\x1b[0m take the lease"}, nil, syscall.SIGTERM, untouched, "v1"),
			Entry("once the manifest is applied", abortAt{marker: "✓\x1b[0m apply manifest"}, nil, syscall.SIGTERM, untouched, "v1"),
			Entry("while staging", abortAt{marker: "✓\x1b[0m upload bits"}, nil, syscall.SIGTERM, untouched, "v1"),
			Entry("while starting", abortAt{marker: "✓\x1b[0m stage"}, nil, syscall.SIGTERM, untouched, "v1"),
			Entry("while starting, by SIGINT", abortAt{marker: "✓\x1b[0m stage"}, nil, syscall.SIGINT, untouched, "v1"),
			Entry("while verifying the temporary route", abortAt{marker: "✓\x1b[0m start"}, nil, syscall.SIGTERM, untouched, "v1"),
			Entry("while smoke checking", abortAt{marker: "✓\x1b[0m verify temporary route"},
				map[string]any{"smoke_checks": []any{map[string]any{"path": "/", "successes": 40}}}, syscall.SIGTERM, untouched, "v1"),
			Entry("mid cut over, both versions on the route", abortAt{marker: "myapp-candidate serves %s"}, nil, syscall.SIGTERM, switchedBack, "v1"),
			Entry("while draining, the old app proven gone", abortAt{marker: "myapp is gone from %s"},
				map[string]any{"drain": "5s"}, syscall.SIGTERM, switchedBack, "v1"),
			Entry("while observing", abortAt{marker: "✓\x1b[0m drain"},
				map[string]any{"observe": map[string]any{"duration": "10s", "interval": "200ms"}}, syscall.SIGTERM, switchedBack, "v1"),
			Entry("while finalizing: finishes it", abortAt{marker: "finalizing: myapp-candidate", before: slowRenames}, nil, syscall.SIGTERM, finalized, "v2"),
		)
	})

	Context("rolling and canary", func() {
		var w *world
		BeforeEach(func() {
			w = newWorldWith(updaterTick)
			r := w.out(w.rolling("v1", nil))
			Expect(r.code).To(Equal(0), r.stderr)
			w.waitServing("v1")
		})

		// converges asserts one web process serving alone, no deployment left ACTIVE, and that a
		// following rolling deploy succeeds.
		converges := func(serving string) {
			Expect(w.apps()).To(Equal([]string{"myapp:STARTED"}))
			Expect(w.routes()).To(Equal([]string{w.host()}))
			Expect(w.webProcessCount("myapp")).To(Equal(1))
			Expect(w.activeDeployments()).To(BeEmpty())
			Expect(w.serves(20)).To(Equal(map[string]int{"200 " + serving: 20}))
			r := w.out(w.rolling("v3", nil))
			Expect(r.code).To(Equal(0), r.stderr)
			Expect(w.serves(20)).To(Equal(map[string]int{"200 v3": 20}))
		}

		DescribeTable("SIGTERM: cancels what CAPI still rolls, leaves one serving version, exits non-zero saying so, and the next deploy succeeds",
			func(at abortAt, extra map[string]any, left, serving string) {
				l := w.startLoad()
				r := w.signalAt(w.rolling("v2", extra), at, syscall.SIGTERM)
				expectAborted(r, "terminated", left)
				Expect(w.envOf("myapp")).To(HaveKeyWithValue("VERSION", serving), "the env vars the manifest changed")
				// CC has no way to cancel a build: one the abort left staging ends by itself, and
				// until then CC refuses another (CF-StagingInProgress).
				Eventually(w.stagingBuilds, time.Minute, 100*time.Millisecond).Should(BeEmpty())
				converges(serving)
				l.expectNoFailures()
			},
			Entry("while applying the manifest", abortAt{marker: "✓\x1b[0m record the deployed revision"}, nil, envPutBack, "v1"),
			Entry("while staging", abortAt{marker: "✓\x1b[0m upload bits"}, nil, envPutBack, "v1"),
			Entry("as the deployment starts", abortAt{marker: "(revision 2), new process"}, nil, cancelled, "v1"),
			Entry("mid roll out, an old instance replaced", abortAt{marker: "✓\x1b[0m create rolling deployment", state: (*world).oldScaledDown},
				nil, cancelled, "v1"),
			Entry("during a canary pause", abortAt{marker: "canary step 1/1: "},
				map[string]any{"strategy": "canary", "canary_pause": "10s"}, cancelled, "v1"),
			// Verifying may end before the signal lands: the observation window then still runs.
			Entry("once CAPI finished: keeps the new revision", abortAt{marker: "✓\x1b[0m roll out"},
				map[string]any{"observe": map[string]any{"duration": "10s", "interval": "200ms"}}, keptNew, "v2"),
		)

		DescribeTable("SIGKILL, then a rerun converges",
			func(marker string, extra map[string]any) {
				l := w.startLoad()
				killAt(w.startOut(w.rolling("v2", extra)), marker)
				rerun := w.out(w.rolling("v3", nil))
				Expect(rerun.code).To(Equal(0), rerun.stderr)
				l.expectNoFailures()
				Expect(w.serves(20)).To(Equal(map[string]int{"200 v3": 20}))
				Expect(w.webProcessCount("myapp")).To(Equal(1))
				Expect(w.activeDeployments()).To(BeEmpty())
			},
			Entry("after the manifest was applied", "✓\x1b[0m apply manifest", nil),
			// A pause waits for continue for ever: the rerun cancels it once its lease ran out.
			Entry("after the paced deployment was created: it pauses, and nobody continues it", "✓\x1b[0m create rolling deployment", nil),
			Entry("with the deployment rolling on its own", "✓\x1b[0m create rolling deployment", map[string]any{"pace": "capi"}),
			Entry("at a canary step", "canary step 1/2: ", map[string]any{"strategy": "canary", "canary_steps": []int{50, 100}, "canary_pause": "10s"}),
		)
	})
})

// activeDeployments lists the guids of the deployments still ACTIVE (filtered here: the
// simulator does not filter deployments by status).
func (w *world) activeDeployments() []string {
	deps, err := w.cf.Deployments.ListAll(context.Background(), client.NewDeploymentListOptions())
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, d := range deps {
		if d.Status.Value == "ACTIVE" {
			out = append(out, d.GUID+" "+d.Status.Reason)
		}
	}
	return out
}

// stagingBuilds lists the guids of the builds still STAGING.
func (w *world) stagingBuilds() []string {
	opts := client.NewBuildListOptions()
	opts.States.EqualTo("STAGING")
	builds, err := w.cf.Builds.ListAll(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, b := range builds {
		out = append(out, b.GUID)
	}
	return out
}

// oldScaledDown reports whether CAPI has taken an instance off the app's original web process
// while a deployment still rolls: the old and the new version share the traffic.
func (w *world) oldScaledDown() bool {
	opts := client.NewProcessOptions()
	opts.Types.EqualTo("web")
	procs, err := w.cf.Processes.ListForAppAll(context.Background(), w.appNamed("myapp").GUID, opts)
	Expect(err).NotTo(HaveOccurred())
	if len(procs) < 2 {
		return false
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].CreatedAt.Before(procs[j].CreatedAt) })
	return procs[0].Instances < 2
}
