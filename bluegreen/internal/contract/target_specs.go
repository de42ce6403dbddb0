package contract

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func targetSpecs(x *fixture, domainID *string) {
	Describe("the target", func() {
		It("finds the org and space by name, and names which one is missing", func() {
			Expect(x.space.Name).To(Equal(x.f.Space))
			Expect(x.space.OrgName).To(Equal(x.f.Org))
			_, err := x.port().Space(*x.ctx, "no-such-org", x.f.Space)
			Expect(err).To(MatchError(platform.ErrNoOrg))
			_, err = x.port().Space(*x.ctx, x.f.Org, "no-such-space")
			Expect(err).To(MatchError(platform.ErrNoSpace))
		})

		It("lists the default domain among the domains, by name", func() {
			domains, err := x.port().Domains(*x.ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(domains).To(HaveKey(*x.domain))
			Expect(domains[*x.domain].GUID).To(Equal(*domainID))
			Expect(domains[*x.domain].Internal).To(BeFalse())
		})
	})
}
