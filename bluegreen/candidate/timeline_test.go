package candidate_test

import (
	"errors"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

const duration = `(\d+(\.\d+)?(ns|µs|ms|s|m|h))+`

// stepLines counts the lines that log the step: "✓ NAME  DURATION" in green, or
// "✗ NAME  DURATION  error" in red.
func stepLines(out, name string, failed bool) int {
	pat := `^\x1b\[32m✓\x1b\[0m ` + regexp.QuoteMeta(name) + ` +` + duration + `$`
	if failed {
		pat = `^\x1b\[31m✗ ` + regexp.QuoteMeta(name) + ` +` + duration + `  .*\x1b\[0m$`
	}
	re := regexp.MustCompile(pat)
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if re.MatchString(l) {
			n++
		}
	}
	return n
}

func phaseNames(ps []bluegreen.Phase) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

var _ = Describe("the timeline", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.seedLive(2, liveURL, internalURL)
		w.plan.Checks = []probe.Check{{Path: "/health"}}
		w.plan.Observe = &bluegreen.Observation{Duration: 50 * time.Millisecond, Interval: 10 * time.Millisecond,
			Check: probe.Check{Path: "/health"}}
	})

	It("logs every step once, with its duration", func() {
		_, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(phaseNames(w.tl.Phases)).To(Equal([]string{"check quota", "take the lease (shop-candidate)",
			"resolve routes", "apply manifest", "upload bits", "stage", "carry over", "start", "verify temporary route",
			"smoke checks", "cut over", "drain", "observe", "finalize"}))
		out := w.out.String()
		for _, p := range w.tl.Phases {
			Expect(p.Err).NotTo(HaveOccurred(), p.Name)
			Expect(stepLines(out, p.Name, false)).To(Equal(1), "one line for %q in:\n%s", p.Name, out)
		}
		Expect(out).NotTo(ContainSubstring("\x1b[31m"), "nothing in red")
	})

	It("logs a failed step in red, with its error, and the cleanup steps after it", func() {
		w.cf.StageErr = errors.New("staging failed: NoAppDetectedError")
		_, err := w.deploy()
		Expect(err).To(HaveOccurred())
		out := w.out.String()
		Expect(stepLines(out, "stage", true)).To(Equal(1), out)
		Expect(out).To(MatchRegexp(`(?m)^\x1b\[31m✗ stage .*NoAppDetectedError\x1b\[0m$`))
		Expect(stepLines(out, "stage", false)).To(BeZero())
		Expect(stepLines(out, "remove the candidate", false)).To(Equal(1), out)
		Expect(out).To(ContainSubstring("\x1b[31m  deploy failed: stage: staging failed: NoAppDetectedError\x1b[0m"))
		Expect(phaseNames(w.tl.Phases)).NotTo(ContainElement("start"), "no step runs after the failed one")
		for _, p := range w.tl.Phases {
			Expect(stepLines(out, p.Name, p.Err != nil)).To(Equal(1), "one line for %q in:\n%s", p.Name, out)
		}
	})

	DescribeTable("never prints an env value from the plan",
		func(breakIt func(w *world)) {
			live := w.cf.AppNamed(appName)
			w.cf.SetEnv(live.GUID, map[string]string{"DB_PASSWORD": "live-s3cret-value"})
			w.plan.ManifestEnv = map[string]string{"API_TOKEN": "manifest-t0ken-value"}
			w.plan.Env = map[string]string{"SIGNING_KEY": "params-k3y-value"}
			breakIt(w)
			_, _ = w.deploy()
			out := w.out.String()
			Expect(out).NotTo(BeEmpty())
			for _, v := range []string{"live-s3cret-value", "manifest-t0ken-value", "params-k3y-value"} {
				Expect(out).NotTo(ContainSubstring(v))
			}
		},
		Entry("when the deploy succeeds", func(*world) {}),
		Entry("when a smoke check fails", func(w *world) { w.pr.FailCheck(tempURL, errors.New("status 500")) }),
		Entry("when traffic is switched back", func(w *world) { w.pr.FailCheck(liveURL, errors.New("status 500")) }),
	)
})
