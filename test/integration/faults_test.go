package integration_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

// Cloud Controller faults: errors, answers lost after CC did the work, dropped connections
// and expiring tokens, with load through the load balancer during every deploy.
var _ = Describe("out under Cloud Controller faults", func() {
	var w *world

	// expectOneVersion asserts a deploy of version v either went live or rolled back to was,
	// leaving exactly one serving version, its kept predecessor, and no temporary route.
	expectOneVersion := func(r run, v, was string) string {
		GinkgoHelper()
		live := was
		if r.code == 0 {
			live = v
			Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}), r.stderr)
		} else {
			Expect(firstLine(r.stderr)).To(HavePrefix("\x1b[31merror: "))
			Expect(w.apps()).To(ContainElement("myapp:STARTED"), r.stderr)
			Expect(w.apps()).NotTo(ContainElement(HavePrefix("myapp-candidate")), r.stderr)
			Expect(w.apps()).NotTo(ContainElement(HavePrefix("myapp-failed")), r.stderr)
		}
		Expect(w.routes()).To(Equal([]string{w.host()}), "no temporary route left")
		Expect(w.serves(10)).To(Equal(map[string]int{"200 " + live: 10}))
		return live
	}

	BeforeEach(func() {
		// A fixed seed fixes the faults' draws (each request draws in turn), so that as many of
		// them fire in every run, and a spec that found too few to count as tested never flakes.
		cfg := worldConfig(0)
		cfg.Seed = 20261203
		w = newWorldFrom(cfg)
		w.deploy("v1", nil)
		w.waitServing("v1")
	})

	// outWith runs out while faults hit CC and UAA; the spec's own look at the foundation
	// afterwards is not faulted.
	outWith := func(faults []cfsim.Fault, req map[string]any) run {
		GinkgoHelper()
		for _, f := range faults {
			Expect(w.sim.AddFault(f)).To(Succeed())
		}
		defer w.sim.ClearFaults()
		return w.out(req)
	}

	It("deploys, and rolls back a crashing version, when 10% of CC and UAA calls fail", func() {
		l := w.startLoad()
		live := expectOneVersion(outWith(tenPercent(), w.request("v2", nil)), "v2", "v1")
		r := outWith(tenPercent(), w.request("v3", map[string]any{"environment_variables": map[string]any{"CRASH": "start"}}))
		Expect(r.code).NotTo(Equal(0), "v3 crashes")
		Expect(r.stderr).To(ContainSubstring("crashed"))
		expectOneVersion(r, "v3", live)
		l.expectNoFailures()
		Expect(injected(w.sim)).To(BeNumerically(">", 5), "faults were injected")
	})

	// Each endpoint's first call loses its answer after CC did the work, its second has its
	// connection dropped: the deploy must neither fail nor do anything twice.
	DescribeTable("deploys when each mutating endpoint in turn loses an answer and a connection",
		func(endpoints []string) {
			l := w.startLoad()
			live := "v1"
			for i, endpoint := range endpoints {
				method, path, _ := strings.Cut(endpoint, " ")
				re := "^" + strings.ReplaceAll(regexp.QuoteMeta(path), `\{guid\}`, "[^/]+") + "$"
				w.sim.ResetRequests()
				v := fmt.Sprintf("v%d", i+2)
				r := outWith([]cfsim.Fault{{Method: method, Path: re, Times: 1, Status: 502, After: true},
					{Method: method, Path: re, Times: 1, Drop: true}}, w.request(v, nil))
				Expect(r.code).To(Equal(0), "with faults on %s:\n%s", endpoint, r.stderr)
				live = expectOneVersion(r, v, live)
				Expect(injected(w.sim)).To(BeNumerically(">=", 1), "a fault hit %s", endpoint)
			}
			l.expectNoFailures()
		},
		Entry("making the candidate", blueGreenEndpoints()[0:5]),
		Entry("its bits", blueGreenEndpoints()[5:10]),
		Entry("moving traffic and finalizing", blueGreenEndpoints()[10:]),
	)

	Describe("tokens that expire every 5 seconds", func() {
		BeforeEach(func() {
			w.sim.SetTokenTTL(5 * time.Second)
			w.sim.ResetRequests()
		})

		It("never fail a blue-green deploy", func() {
			l := w.startLoad()
			r := w.out(w.request("v2", map[string]any{"observe": map[string]any{"duration": "6s", "interval": "500ms"}}))
			Expect(r.code).To(Equal(0), r.stderr)
			l.expectNoFailures()
			expectOneVersion(r, "v2", "v1")
			Expect(tokenRequests(w.sim)).To(BeNumerically(">", 3), "tokens were renewed during the deploy")
			Expect(blueGreenEndpoints()).To(ContainElements(mutatingEndpoints(w.sim.Requests())),
				"the endpoint table above covers every endpoint a blue-green deploy calls")
		})

		It("never fail a rolling deploy", func() {
			w.sim.SetDeploymentInterval(updaterTick)
			l := w.startLoad()
			r := w.out(w.request("v2", map[string]any{"strategy": "rolling"}))
			Expect(r.code).To(Equal(0), r.stderr)
			l.expectNoFailures()
			Expect(w.serves(10)).To(Equal(map[string]int{"200 v2": 10}))
			Expect(tokenRequests(w.sim)).To(BeNumerically(">", 3), "tokens were renewed during the deploy")
		})
	})
})

// blueGreenEndpoints are the mutating endpoints a blue-green deploy of a folder calls, in the
// order it first calls them (DELETE /v3/apps from the third deploy on: the oldest previous).
func blueGreenEndpoints() []string {
	return []string{
		"POST /oauth/token", "POST /v3/apps", "PATCH /v3/apps/{guid}", "POST /v3/routes",
		"POST /v3/spaces/{guid}/actions/apply_manifest",
		"POST /v3/resource_matches", "POST /v3/packages", "POST /v3/packages/{guid}/upload", "POST /v3/builds",
		"PATCH /v3/apps/{guid}/relationships/current_droplet",
		"POST /v3/apps/{guid}/actions/start", "POST /v3/routes/{guid}/destinations",
		"DELETE /v3/routes/{guid}/destinations/{guid}", "POST /v3/apps/{guid}/actions/stop",
		"DELETE /v3/routes/{guid}", "DELETE /v3/apps/{guid}",
	}
}

// tenPercent is a mix of faults on one CC or UAA call in ten: errors before and after CC did
// the work, rate limiting, and connections dropped before and after.
func tenPercent() []cfsim.Fault {
	every := "^/(v3/|oauth/|$)" // the API, UAA and discovery
	return []cfsim.Fault{
		{Path: every, Rate: 0.03, Status: 502},
		{Path: every, Rate: 0.02, Status: 503, After: true},
		{Path: every, Rate: 0.02, Status: 429},
		{Path: every, Rate: 0.02, Drop: true, After: true},
		{Path: every, Rate: 0.01, Drop: true},
	}
}

// mutatingEndpoints lists the distinct method and path patterns (guids as {guid}) of the
// requests that could change the foundation, token requests included.
func mutatingEndpoints(reqs []cfsim.Request) []string {
	guid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	seen := map[string]bool{}
	for _, r := range reqs {
		if r.Method != "GET" && r.Method != "HEAD" {
			seen[r.Method+" "+guid.ReplaceAllString(r.Path, "{guid}")] = true
		}
	}
	var out []string
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

func injected(sim *cfsim.Sim) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Injected {
			n++
		}
	}
	return n
}

func tokenRequests(sim *cfsim.Sim) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Path == "/oauth/token" {
			n++
		}
	}
	return n
}
