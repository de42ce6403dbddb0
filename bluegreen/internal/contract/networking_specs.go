package contract

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func networkingSpecs(x *fixture) {
	Describe("network policies", func() {
		It("lists the policies where the app is source or destination, each once however often it was added", func() {
			ctx, p := *x.ctx, x.port()
			var guids []string
			for _, name := range []string{"shop", "frontend", "db-proxy", "unrelated"} {
				a, err := p.CreateApp(ctx, x.space.GUID, name, nil, nil)
				Expect(err).NotTo(HaveOccurred())
				guids = append(guids, a.GUID)
			}
			shop, frontend, proxy, unrelated := guids[0], guids[1], guids[2], guids[3]
			in := platform.Policy{SourceGUID: frontend, DestinationGUID: shop, Protocol: "tcp", StartPort: 8080, EndPort: 8080}
			out := platform.Policy{SourceGUID: shop, DestinationGUID: proxy, Protocol: "udp", StartPort: 9000, EndPort: 9010}
			Expect(p.AddPolicies(ctx, []platform.Policy{in, out})).To(Succeed())
			Expect(p.AddPolicies(ctx, []platform.Policy{in})).To(Succeed(), "adding a policy again")
			Expect(p.AddPolicies(ctx, nil)).To(Succeed(), "adding none")

			got, err := p.Policies(ctx, shop)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(ConsistOf(in, out))
			got, err = p.Policies(ctx, proxy)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(ConsistOf(out))
			got, err = p.Policies(ctx, unrelated)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(BeEmpty())
		})
	})
}
