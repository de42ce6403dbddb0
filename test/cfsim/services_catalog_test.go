package cfsim_test

import (
	"context"
	"encoding/json"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("the marketplace", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("lists the built-in broker and its offerings, one of them asynchronous and one not bindable", func() {
		brokers, err := f.cf.ServiceBrokers.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(brokers).To(HaveLen(1))
		Expect(brokers[0].Name).To(Equal("cfsim-broker"))

		offerings, err := f.cf.ServiceOfferings.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, o := range offerings {
			names = append(names, o.Name)
			Expect(o.Available).To(BeTrue())
			Expect(o.Relationships.ServiceBroker.Data.GUID).To(Equal(brokers[0].GUID))
			Expect(o.BrokerCatalog.Features.BindingsRetrievable).To(BeTrue())
		}
		Expect(names).To(Equal([]string{"postgres", "redis", "dashboard"}))
		Expect(offerings[2].BrokerCatalog.Features.Bindable).To(BeFalse())

		opts := client.NewServiceOfferingListOptions()
		opts.ServiceBrokerNames.EqualTo("cfsim-broker")
		opts.Names.EqualTo("redis")
		redis, err := f.cf.ServiceOfferings.Single(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect(redis.Tags).To(Equal([]string{"redis", "key-value"}))
	})

	It("lists plans with their offerings and brokers the way cf marketplace asks", func() {
		opts := client.NewServicePlanListOptions()
		opts.ServiceOfferingNames.EqualTo("postgres")
		plans, offerings, err := f.cf.ServicePlans.ListIncludeServiceOfferingAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect([]string{plans[0].Name, plans[1].Name}).To(Equal([]string{"small", "large"}))
		Expect(plans[0].Free).To(BeTrue())
		Expect(plans[1].Costs).To(HaveLen(1))
		Expect(plans[1].Costs[0].Currency).To(Equal("USD"))
		Expect(offerings).To(HaveLen(1))
		Expect(offerings[0].Name).To(Equal("postgres"))
		Expect(plans[0].Relationships.ServiceOffering.Data.GUID).To(Equal(offerings[0].GUID))

		body := f.ccGet("/v3/service_plans?available=true&include=service_offering" +
			"&fields%5Bservice_offering.service_broker%5D=name,guid&per_page=5000&space_guids=" + f.SpaceGUID)
		var page struct {
			Resources []json.RawMessage `json:"resources"`
			Included  struct {
				ServiceOfferings []json.RawMessage   `json:"service_offerings"`
				ServiceBrokers   []map[string]string `json:"service_brokers"`
			} `json:"included"`
		}
		Expect(json.Unmarshal([]byte(body), &page)).To(Succeed())
		Expect(page.Resources).To(HaveLen(5))
		Expect(page.Included.ServiceOfferings).To(HaveLen(3))
		Expect(page.Included.ServiceBrokers).To(HaveLen(1))
		Expect(page.Included.ServiceBrokers[0]).To(HaveKeyWithValue("name", "cfsim-broker"))
		Expect(page.Included.ServiceBrokers[0]).To(HaveLen(2))
	})

	It("finds one plan by plan and offering name, as cf create-service does", func() {
		opts := client.NewServicePlanListOptions()
		opts.Names.EqualTo("small")
		all, err := f.cf.ServicePlans.ListAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		Expect(all).To(HaveLen(2), "both postgres and redis have a small plan")

		p := f.plan("redis", "small")
		got, offering, err := f.cf.ServicePlans.GetIncludeServiceOffering(ctx, p.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Name).To(Equal("small"))
		Expect(offering.Name).To(Equal("redis"))
	})
})
