package candidate_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const (
	annMaintenance = "cf-bluegreen-resource/maintenance"
	annMaintRoutes = "cf-bluegreen-resource/maintenance-routes"
	annResponder   = "cf-bluegreen-resource/maintenance-responder"
)

var _ = Describe("a blue-green deploy while the app is in maintenance", func() {
	var (
		w         *world
		live      *fakeApp
		responder *fakeApp
	)

	// inMaintenance seeds the app with its routes on the responder, as maintenance on leaves it.
	inMaintenance := func(state string) {
		responder = w.cf.SeedApp("shop-maintenance", 2, nil, nil)
		live = w.cf.SeedApp(appName, 2, map[string]string{roleKey: "live"}, map[string]string{annApp: appName,
			annDeployed: time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)})
		route := w.cf.SeedRoute(liveURL, responder.GUID)
		w.cf.SetAnnotations(live.GUID, map[string]string{annMaintenance: state, annMaintRoutes: route, annResponder: "shop-maintenance"})
	}

	BeforeEach(func() {
		w = newWorld()
		w.plan.Routes = []string{liveURL}
	})

	It("leaves the routes on the responder, and the new version inherits the switch, so maintenance off gives it the routes", func() {
		inMaintenance("on")
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		route := w.cf.RouteGUID(liveURL)
		Expect(count(w.cf.Calls(), "Map", route)).To(BeZero(), "a route the responder holds was mapped to the new version")
		Expect(w.cf.Serving(liveURL)).To(Equal([]string{"shop-maintenance"}))
		promoted := w.cf.AppByGUID(res.AppGUID)
		Expect(promoted.Name).To(Equal(appName))
		Expect(promoted.Annotations).To(HaveKeyWithValue(annMaintenance, "on"))
		Expect(promoted.Annotations).To(HaveKeyWithValue(annMaintRoutes, route))
		Expect(promoted.Annotations).To(HaveKeyWithValue(annResponder, "shop-maintenance"))
		Expect(w.out.String()).To(ContainSubstring("in maintenance: 1 routes stay on the responder until maintenance off"))
	})

	It("refuses, changing nothing, while a maintenance switch is halfway: a route may be on the old app alone", func() {
		inMaintenance("switching-on")
		_, err := w.deploy()
		Expect(err).To(MatchError(ContainSubstring("in the middle of a maintenance switch (switching-on)")))
		Expect(mutations(w.cf.Calls())).To(BeEmpty())
	})
})
