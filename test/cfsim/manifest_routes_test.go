package cfsim_test

import (
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("apply_manifest: random-route, default-route, routes and no-route", func() {
	var f *foundation
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("gives an app without routes one random route on the default domain, once", func() {
		Expect(f.applyManifest("applications:\n- name: rnd\n  random-route: true\n")).To(Succeed())
		urls := f.routeURLs(f.appNamed("rnd").GUID)
		Expect(urls).To(HaveLen(1))
		Expect(urls[0]).To(MatchRegexp(`^rnd-[a-z]+-[a-z]+-[a-z]{2}\.` + regexp.QuoteMeta(f.info.Domain) + `$`))

		Expect(f.applyManifest("applications:\n- name: rnd\n  random-route: true\n")).To(Succeed())
		Expect(f.routeURLs(f.appNamed("rnd").GUID)).To(Equal(urls))
	})

	It("gives an app without routes its default route, and refuses names that cannot be a host", func() {
		Expect(f.applyManifest("applications:\n- name: dflt\n  default-route: true\n")).To(Succeed())
		Expect(f.routeURLs(f.appNamed("dflt").GUID)).To(Equal([]string{"dflt." + f.info.Domain}))

		err := f.applyManifest("applications:\n- name: not.a.host\n  default-route: true\n")
		Expect(err).To(MatchError(ContainSubstring(`For application 'not.a.host': Failed to create default route from app name: ` +
			`Host must be either "*" or contain only alphanumeric characters, "_", or "-"`)))
	})

	It("lets routes win over random-route, adds to existing routes and unmaps them all on no-route", func() {
		Expect(f.applyManifest("applications:\n- name: web\n  random-route: true\n  routes:\n  - route: web." +
			f.info.SecondDomain + "\n")).To(Succeed())
		guid := f.appNamed("web").GUID
		Expect(f.routeURLs(guid)).To(Equal([]string{"web." + f.info.SecondDomain}))

		Expect(f.applyManifest("applications:\n- name: web\n  routes:\n  - route: web." + f.info.Domain + "\n")).To(Succeed())
		Expect(f.routeURLs(guid)).To(ConsistOf("web."+f.info.SecondDomain, "web."+f.info.Domain))

		Expect(f.applyManifest("applications:\n- name: web\n  no-route: true\n")).To(Succeed())
		Expect(f.routeURLs(guid)).To(BeEmpty())
	})

	It("fails the job, naming the route, for an unknown domain or a route CC would refuse", func() {
		err := f.applyManifest("applications:\n- name: odd\n  routes:\n  - route: odd.nowhere.test\n")
		Expect(err).To(MatchError(ContainSubstring("For application 'odd': No domains exist for route odd.nowhere.test")))
		err = f.applyManifest("applications:\n- name: odd\n  routes:\n  - route: odd.apps.internal/path\n")
		Expect(err).To(MatchError(ContainSubstring("For application 'odd': For route 'odd.apps.internal/path': Paths are not supported for internal domains.")))
	})
})
