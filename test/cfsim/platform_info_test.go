package cfsim_test

import (
	"context"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("stacks, buildpacks and feature flags", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("lists cflinuxfs4 as the default stack and the binary buildpack on it", func() {
		stacks, err := f.cf.Stacks.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(stacks).To(HaveLen(1))
		Expect(stacks[0].Name).To(Equal("cflinuxfs4"))
		Expect(stacks[0].Default).To(BeTrue())
		again, err := f.cf.Stacks.Get(ctx, stacks[0].GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(again.GUID).To(Equal(stacks[0].GUID))

		bps, err := f.cf.Buildpacks.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(bps).To(HaveLen(1))
		Expect(bps[0].Name).To(Equal("binary_buildpack"))
		Expect(*bps[0].Stack).To(Equal("cflinuxfs4"))
		Expect(bps[0].Position).To(Equal(1))
		Expect(bps[0].Enabled).To(BeTrue())
	})

	It("lists CC's feature flags with diego_docker on and hash_based_routing off", func() {
		docker, err := f.cf.FeatureFlags.Get(ctx, resource.FeatureFlagDiegoDocker)
		Expect(err).NotTo(HaveOccurred())
		Expect(docker.Enabled).To(BeTrue())
		flags, err := f.cf.FeatureFlags.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		enabled := map[string]bool{}
		for _, flag := range flags {
			enabled[flag.Name] = flag.Enabled
		}
		Expect(enabled).To(HaveKeyWithValue("diego_docker", true))
		Expect(enabled).To(HaveKeyWithValue("hash_based_routing", false))
		Expect(enabled).To(HaveKeyWithValue("route_creation", true))
		Expect(enabled).To(HaveLen(19))
	})
})
