package fakecf_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

var _ = Describe("the fake's request metrics, recorded with Served", func() {
	It("answers the requests of the app or process whose time falls in the window, from the start's whole second", func() {
		f := fakecf.New("acme", "prod")
		a := f.SeedApp("shop", 2, nil, nil)
		t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		f.Served(a.GUID, "web-1", 200, 10*time.Millisecond, t0.Add(300*time.Millisecond)) // the start's second
		f.Served(a.GUID, "web-1", 503, 20*time.Millisecond, t0.Add(time.Second))
		f.Served(a.GUID, "web-2", 200, 30*time.Millisecond, t0.Add(2*time.Second))
		f.Served(a.GUID, "web-2", 500, 40*time.Millisecond, t0.Add(4*time.Second)) // after the end
		f.Served("other-app", "web-9", 500, time.Second, t0.Add(time.Second))
		q := platform.MetricsQuery{AppGUID: a.GUID, Start: t0.Add(700 * time.Millisecond), End: t0.Add(3 * time.Second), Percentile: 50}
		stats, err := f.RequestStats(context.Background(), q)
		Expect(err).NotTo(HaveOccurred())
		Expect(stats).To(Equal(platform.RequestStats{Requests: 3, ServerErrors: 1, Latency: 20 * time.Millisecond}))
		q.ProcessGUID, q.Percentile = "web-2", 90
		stats, err = f.RequestStats(context.Background(), q)
		Expect(err).NotTo(HaveOccurred())
		Expect(stats).To(Equal(platform.RequestStats{Requests: 1, Latency: 30 * time.Millisecond}))
		Expect(f.Count("RequestStats")).To(Equal(2))
	})
})
