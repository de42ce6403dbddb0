package integration_test

import (
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// releaseManifest is a frontend and its API released together: both are the world's app (the
// API under another name), each on its default route. The web app can be told to crash at
// start, or to start slowly.
var releaseManifest = strings.Replace(baseManifest, "name: "+appName, "name: myapi", 1) +
	strings.TrimPrefix(baseManifest, "applications:\n") + `    CRASH: "((web_crash))"
    START_DELAY: ((web_delay))
`

// releaseWorld is a world whose manifest holds two apps; CAPI's updater ticks every 500 ms.
func releaseWorld() *world {
	w := newWorldWith(500 * time.Millisecond)
	w.write("manifest.yml", releaseManifest)
	return w
}

// release is a put of the two-app manifest at version, the web app behaving as told.
func (w *world) release(version, strategy string, web map[string]string, extra map[string]any) map[string]any {
	vars := map[string]any{"version": version, "web_crash": "", "web_delay": "0s"}
	for k, v := range web {
		vars[k] = v
	}
	params := map[string]any{"strategy": strategy, "vars": vars}
	for k, v := range extra {
		params[k] = v
	}
	return w.request(version, params)
}

func (w *world) apiHost() string { return "myapi." + w.info.Domain }

// servesBoth waits until every router serves both apps with version v.
func (w *world) servesBoth(v string) {
	for _, host := range []string{w.host(), w.apiHost()} {
		for _, r := range w.info.RouterURLs {
			Eventually(func() string { _, version, _ := hit(r, host); return version }, 10*time.Second, 20*time.Millisecond).
				Should(Equal(v), "%s on %s", host, r)
		}
	}
}

// loads runs load through the routers on both apps' routes.
type loads struct{ api, web *load }

func (w *world) loadBoth() loads { return loads{api: w.startLoadOn(w.apiHost()), web: w.startLoad()} }

func (l loads) expectNoFailures() (api, web map[string]int) {
	return l.api.expectNoFailures(), l.web.expectNoFailures()
}

var _ = Describe("out: a multi-app manifest released all or nothing", func() {
	var w *world
	BeforeEach(func() { w = releaseWorld() })

	first := func(strategy string) {
		r := w.out(w.release("v1", strategy, nil, nil))
		Expect(r.code).To(Equal(0), r.stderr)
		w.servesBoth("v1")
	}

	DescribeTable("deploys every app in manifest order, each verified, with zero failed requests on every app's routes",
		func(strategy string, extra map[string]any) {
			first(strategy)
			l := w.loadBoth()
			r := w.out(w.release("v2", strategy, nil, extra))
			Expect(r.code).To(Equal(0), r.stderr)
			api, web := l.expectNoFailures()
			Expect(api).To(HaveKey("v2"))
			Expect(web).To(HaveKey("v2"))
			w.servesBoth("v2")

			By("each app's steps are named for it, the API's first, and both are committed only once both are proven")
			Expect(strings.Index(r.stderr, "myapi: ")).To(BeNumerically("<", strings.Index(r.stderr, "myapp: ")))
			Expect(r.stderr).To(ContainSubstring("myapi: wait for the other apps"))
			Expect(r.stderr).To(ContainSubstring("released myapi, myapp: every app proven, all committed"))

			By("one version, the first app's; metadata for every app")
			md := metadataOf(r.stdout)
			Expect(versionOf(r.stdout)["app_guid"]).To(Equal(w.appNamed("myapi").GUID))
			Expect(md).To(HaveKeyWithValue("myapi app_guid", w.appNamed("myapi").GUID))
			Expect(md).To(HaveKeyWithValue("myapp app_guid", w.appNamed("myapp").GUID))
			Expect(md).To(HaveKeyWithValue("myapp strategy", strategy))
			Expect(w.apps()).NotTo(ContainElement(ContainSubstring("candidate")), "no lease is left behind")
		},
		Entry("bluegreen", "bluegreen", nil),
		Entry("rolling", "rolling", nil),
		Entry("canary", "canary", map[string]any{"canary_steps": []int{50, 100}}),
	)

	DescribeTable("switches the first app back, verified, when the second fails, and names the app and the step",
		func(strategy, step, undo string) {
			first(strategy)
			l := w.loadBoth()
			r := w.out(w.release("v2", strategy, map[string]string{"web_crash": "start"}, map[string]any{"startup_timeout": "20s"}))
			Expect(r.code).NotTo(Equal(0))
			Expect(firstLine(r.stderr)).To(ContainSubstring("myapp: "), "the error names the app that failed")
			Expect(firstLine(r.stderr)).To(ContainSubstring("myapp: "+step+": "), "and the step")
			Expect(r.stderr).To(ContainSubstring(undo), "the API was undone by its own flow's failure path")
			Expect(firstLine(r.stderr)).To(ContainSubstring("undone, newest first, each proven serving its old version again: myapi"))
			api, web := l.expectNoFailures()
			Expect(api).To(HaveKey("v2"), "the API's new version had gone live before the web app failed")
			Expect(web).NotTo(HaveKey("v2"))
			w.servesBoth("v1")
			Eventually(func() map[string]int { return w.servesOn(w.apiHost(), 20) }, 10*time.Second).Should(Equal(map[string]int{"200 v1": 20}))
			Expect(w.apps()).NotTo(ContainElement(ContainSubstring("candidate")))
		},
		Entry("bluegreen", "bluegreen", "start", "myapi: switch back"),
		Entry("rolling", "rolling", "roll out", "myapi: wait for the other apps: undone: myapp failed: rolling back to revision 1"),
	)

	It("switches the first app back when aborted while the second deploys: nothing half-released stays", func() {
		first("bluegreen")
		l := w.loadBoth()
		s := w.startOut(w.release("v2", "bluegreen", map[string]string{"web_delay": "3s"}, nil))
		Eventually(func() string { return string(s.Err.Contents()) }, 2*time.Minute, 5*time.Millisecond).
			Should(ContainSubstring("✓\x1b[0m myapp: apply manifest"))
		Expect(string(s.Err.Contents())).To(ContainSubstring("✓\x1b[0m myapi: cut over"), "the API went live first")
		sent := time.Now()
		s.Signal(syscall.SIGTERM)
		Eventually(s, time.Minute).Should(gexec.Exit())
		Expect(time.Since(sent)).To(BeNumerically("<", concourseGrace))
		Expect(s.ExitCode()).NotTo(Equal(0))
		stderr := string(s.Err.Contents())
		Expect(firstLine(stderr)).To(ContainSubstring("aborted (terminated signal received)"))
		Expect(stderr).To(ContainSubstring("myapi: "))
		l.expectNoFailures()
		w.servesBoth("v1")
		Expect(w.apps()).NotTo(ContainElement(ContainSubstring("candidate")))
	})

	It("releases the apps params.apps names, in its order; check and in follow source.app_name", func() {
		first("bluegreen")
		req := w.release("v2", "bluegreen", nil, map[string]any{"apps": []string{"myapp", "myapi"}})
		req["source"].(map[string]any)["app_name"] = "myapp"
		r := w.out(req)
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(strings.Index(r.stderr, "myapp: ")).To(BeNumerically("<", strings.Index(r.stderr, "myapi: ")))
		Expect(versionOf(r.stdout)["app_guid"]).To(Equal(w.appNamed("myapp").GUID), "the version is source.app_name's app's")
		Expect(w.check(nil)).To(ContainElement(versionOf(r.stdout)))
	})

	It("keeps each app's bindings, runs the migration on the app it names, and switches every app to maintenance and back", func() {
		first("bluegreen")
		w.bindByHand(w.createUserProvidedService("creds", map[string]any{"url": "postgres://db"}), "")
		l := w.loadBoth()
		r := w.out(w.release("v2", "bluegreen", nil, map[string]any{
			"migration": map[string]any{"app": "myapp", "command": "./versioned migrate"}}))
		Expect(r.code).To(Equal(0), r.stderr)
		l.expectNoFailures()
		md := metadataOf(r.stdout)
		Expect(md).To(HaveKeyWithValue("myapp migration_result", "SUCCEEDED"))
		Expect(md).NotTo(HaveKey("myapi migration_result"))
		Expect(r.stderr).To(MatchRegexp(`myapp: \[APP/TASK/migrate-[0-9a-f]+ OUT\] versioned migrate: bound services: creds`), "the migration ran with the web app's binding")
		Expect(getPath(w.info.LBURL, w.host(), "/env/VCAP_SERVICES").body).To(ContainSubstring("creds"), "the new web app kept it")

		By("maintenance on and off: each app's routes in turn")
		on := w.release("v2", "bluegreen", nil, map[string]any{"maintenance": map[string]any{"state": "on"}})
		delete(on["params"].(map[string]any), "strategy")
		Expect(w.out(on).code).To(Equal(0))
		Expect(w.servesHost(w.host())).To(Equal("maintenance"))
		Expect(w.servesHost(w.apiHost())).To(Equal("maintenance"))
		on["params"].(map[string]any)["maintenance"] = map[string]any{"state": "off"}
		Expect(w.out(on).code).To(Equal(0))
		w.servesBoth("v2")
	})

	It("refuses an apps entry the manifest does not hold in one line, and changes nothing", func() {
		before := len(w.sim.Requests())
		r := w.out(w.release("v1", "bluegreen", nil, map[string]any{"apps": []string{"myapi", "nope"}}))
		Expect(r.code).NotTo(Equal(0))
		Expect(strings.Split(strings.TrimSpace(r.stderr), "\n")).To(HaveLen(1))
		Expect(r.stderr).To(ContainSubstring(`params.apps[1]: app "nope" is not in the manifest (apps: myapi, myapp)`))
		for _, req := range w.sim.Requests()[before:] {
			Expect(req.Mutating()).To(BeFalse(), "bad input changed the foundation: %s %s", req.Method, req.Path)
		}
	})
})
