package integration_test

import (
	"context"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// CAPI's updater ticks every 500 ms here and the routers learn of changes 300 ms to 2 s late,
// as on a busy foundation: CAPI's own rolling stops old instances before every router knows a
// new one.
var _ = Describe("out: a rolling deployment's pace, when the routers lag behind CAPI's updater", func() {
	var w *world
	BeforeEach(func() {
		cfg := worldConfig(500 * time.Millisecond)
		cfg.RouteLagMin, cfg.RouteLagMax = 300*time.Millisecond, 2*time.Second
		w = newWorldFrom(cfg)
		r := w.out(w.rolling("v1", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		w.waitServing("v1")
	})

	// routersLag makes every router learn of new backends late and of removed ones soon: the
	// widest gap CAPI's rolling can fall into.
	routersLag := func(registration, removal time.Duration) {
		for i := range w.info.RouterURLs {
			w.sim.Routers().SetLag(i, registration)
			w.sim.Routers().SetRemovalLag(i, removal)
		}
	}

	strategies := func() []string {
		deps, err := w.cf.Deployments.ListAll(context.Background(), client.NewDeploymentListOptions())
		Expect(err).NotTo(HaveOccurred())
		var out []string
		for _, d := range deps {
			out = append(out, d.Strategy)
		}
		return out
	}

	It("paced (the default): rolls v1 to v2 and v3 with zero failed requests, the first new instance proven and smoke-checked before CAPI stops an old one", func() {
		l := w.startLoad()
		for _, v := range []string{"v2", "v3"} {
			r := w.out(w.rolling(v, map[string]any{"smoke_checks": []any{map[string]any{"path": "/", "body_contains": "version=" + v}}}))
			Expect(r.code).To(Equal(0), r.stderr)
			Expect(r.stderr).To(ContainSubstring("paced rolling: 1 new instance serve " + w.host() + " on every router"))
			Expect(r.stderr).To(ContainSubstring("CAPI goes on at max_in_flight 1"))
			Expect(r.stderr).To(ContainSubstring("only the new version serves " + w.host() + " on every router"))
		}
		l.expectNoFailures()
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v3": 20}))
		Expect(strategies()).To(Equal([]string{"canary", "canary"}), "CC ran each as a canary of one instance")
	})

	It("pace capi: CAPI's rolling fails requests when routers learn of new instances 2 s late, as the README says; paced, the same deploy fails none", func() {
		routersLag(2*time.Second, 200*time.Millisecond)
		l := w.startLoad()
		r := w.out(w.rolling("v2", map[string]any{"pace": "capi"}))
		Expect(r.code).To(Equal(0), r.stderr)
		sent, failures, _ := l.finish()
		GinkgoWriter.Printf("pace capi: %d requests, %d failed\n", sent, len(failures))
		Expect(failures).NotTo(BeEmpty(), "CAPI's rolling outran routers that lag 4 of its ticks")
		Expect(r.stderr).NotTo(ContainSubstring("paced"))

		l = w.startLoad()
		r = w.out(w.rolling("v3", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		l.expectNoFailures()
		Expect(strategies()).To(Equal([]string{"rolling", "canary"}))
	})
})
