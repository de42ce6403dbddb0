package cf_test

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("the port beside the Cloud Controller (policy server, Log Cache) when it fails", func() {
	var (
		ctx  = context.Background()
		sim  *cfsim.Sim
		port *cf.Client
		apps []string
	)
	BeforeEach(func() {
		var err error
		sim, err = cfsim.Start(cfsim.Config{Routers: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(sim.Close)
		info := sim.Info()
		port, err = cf.Connect(ctx, cf.Config{API: info.APIURL, Username: info.Username, Password: info.Password,
			Retry: cf.RetryPolicy{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}})
		Expect(err).NotTo(HaveOccurred())
		space, err := port.Space(ctx, info.Org, info.Space)
		Expect(err).NotTo(HaveOccurred())
		apps = nil
		for _, name := range []string{"shop", "frontend"} {
			a, err := port.CreateApp(ctx, space.GUID, name, nil, nil)
			Expect(err).NotTo(HaveOccurred())
			apps = append(apps, a.GUID)
		}
	})

	It("adds network policies again when the answer was lost, keeping one of each", func() {
		p := platform.Policy{SourceGUID: apps[1], DestinationGUID: apps[0], Protocol: "tcp", StartPort: 8080, EndPort: 8080}
		Expect(sim.AddFault(cfsim.Fault{Method: "POST", Path: "^/networking/v1/external/policies$", Times: 1, Status: 502, After: true})).To(Succeed())
		Expect(port.AddPolicies(ctx, []platform.Policy{p})).To(Succeed())
		got, err := port.Policies(ctx, apps[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal([]platform.Policy{p}))
	})

	It("says what the policy server refused", func() {
		bad := platform.Policy{SourceGUID: apps[1], DestinationGUID: apps[0], Protocol: "icmp", StartPort: 8080, EndPort: 8080}
		err := port.AddPolicies(ctx, []platform.Policy{bad})
		Expect(err).To(MatchError(ContainSubstring("answered 400: mapper: validate policies: invalid destination protocol, specify either udp or tcp")))
	})

	It("says what Log Cache's PromQL answered when the metrics cannot be read", func() {
		q := platform.MetricsQuery{AppGUID: apps[0], Start: time.Now().Add(-time.Minute), End: time.Now(), Percentile: 95}
		Expect(sim.AddFault(cfsim.Fault{Method: "GET", Path: "^/api/v1/query$", Status: 501})).To(Succeed())
		_, err := port.RequestStats(ctx, q)
		Expect(err).To(MatchError(ContainSubstring("read the requests of app " + apps[0] + " from Log Cache: " +
			"this foundation's Log Cache has its PromQL endpoints turned off")))
		sim.ClearFaults()
		Expect(sim.AddFault(cfsim.Fault{Method: "GET", Path: "^/api/v1/query$", Times: 2, Status: 503})).To(Succeed())
		stats, err := port.RequestStats(ctx, q)
		Expect(err).NotTo(HaveOccurred(), "read through transient failures")
		Expect(stats).To(Equal(platform.RequestStats{}))
	})

	It("reads Log Cache through transient failures", func() {
		Expect(sim.AddFault(cfsim.Fault{Method: "GET", Path: "^/api/v1/read/", Times: 2, Status: 503})).To(Succeed())
		lines, err := port.RecentLogs(ctx, apps[0], 10)
		Expect(err).NotTo(HaveOccurred())
		Expect(lines).To(BeEmpty())
	})
})
