package resource

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

var _ = Describe("a put of a multi-app manifest", func() {
	var dir string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		manifest := "applications:\n- name: api\n  path: api\n- name: web\n  path: web\n- name: worker\n  path: worker\n  no-route: true\n"
		Expect(os.WriteFile(filepath.Join(dir, "manifest.yml"), []byte(manifest), 0o644)).To(Succeed())
		for _, app := range []string{"api", "web", "worker"} {
			Expect(os.MkdirAll(filepath.Join(dir, app), 0o755)).To(Succeed())
			Expect(os.WriteFile(filepath.Join(dir, app, "main"), []byte(app), 0o644)).To(Succeed())
		}
	})

	plans := func(params OutParams, source Source) ([]putPlan, error) {
		params.Manifest = "manifest.yml"
		p, _, err := buildPlans(OutRequest{Source: source, Params: params}, dir, func(string) string { return "" })
		return p, err
	}
	names := func(ps []putPlan) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.target.App)
		}
		return out
	}

	It("plans every app, in manifest order, each with its own bits", func() {
		ps, err := plans(OutParams{}, Source{})
		Expect(err).NotTo(HaveOccurred())
		Expect(names(ps)).To(Equal([]string{"api", "web", "worker"}))
		Expect(ps[0].blueGreen.Bits.Files).NotTo(Equal(ps[1].blueGreen.Bits.Files))
	})

	It("plans the apps params.apps names, in its order; app_name still picks one", func() {
		ps, err := plans(OutParams{Apps: []string{"web", "api"}}, Source{})
		Expect(err).NotTo(HaveOccurred())
		Expect(names(ps)).To(Equal([]string{"web", "api"}))
		ps, err = plans(OutParams{AppName: "web"}, Source{})
		Expect(err).NotTo(HaveOccurred())
		Expect(names(ps)).To(Equal([]string{"web"}))
	})

	It("keeps the smoke checks for the apps with routes, and the migration for the app it names", func() {
		ps, err := plans(OutParams{SmokeChecks: []SmokeCheck{{Path: "/health"}},
			Migration: &MigrationParams{App: "api", Command: "./migrate"}}, Source{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ps[0].blueGreen.Checks).To(HaveLen(1))
		Expect(ps[2].blueGreen.Checks).To(BeEmpty(), "the worker has no route to check")
		Expect(ps[0].blueGreen.Migration).NotTo(BeNil())
		Expect(ps[1].blueGreen.Migration).To(BeNil())
	})

	DescribeTable("refuses, in one line naming the field, what names one app's things",
		func(params OutParams, source Source, field string) {
			params.Manifest = "manifest.yml"
			err := params.Validate()
			if err == nil {
				_, err = plans(params, source)
			}
			Expect(err).To(MatchError(HavePrefix(field)))
		},
		Entry("an apps entry the manifest does not hold", OutParams{Manifest: "manifest.yml", Apps: []string{"api", "nope"}}, Source{}, `params.apps[1]: app "nope" is not in the manifest (apps: api, web, worker)`),
		Entry("an app named twice", OutParams{Manifest: "manifest.yml", Apps: []string{"api", "api"}}, Source{}, `params.apps[1]: "api" is named twice`),
		Entry("apps with app_name", OutParams{Manifest: "manifest.yml", Apps: []string{"api"}, AppName: "api"}, Source{}, "params.apps: set either"),
		Entry("one path for several apps", OutParams{Path: "api"}, Source{}, "params.path: the manifest releases api, web, worker"),
		Entry("a temporary route for several apps", OutParams{TemporaryRoute: "tmp"}, Source{}, "params.temporary_route: one host cannot serve"),
		Entry("an action on several apps", OutParams{Action: bluegreen.ActionRestart}, Source{}, "params.action: restart acts on one app"),
		Entry("a migration naming no app", OutParams{Migration: &MigrationParams{Command: "./migrate"}}, Source{}, "params.migration.app"),
		Entry("a migration naming another app than the one deployed", OutParams{AppName: "web", Migration: &MigrationParams{App: "api", Command: "./migrate"}}, Source{}, `params.migration.app: "api" is not the app`),
		Entry("a source.app_name the put does not release", OutParams{Apps: []string{"api", "web"}}, Source{AppName: "worker"}, `source.app_name: "worker" is not released`),
	)

	It("reports source.app_name's version, and every app's metadata named for it", func() {
		ps, err := plans(OutParams{}, Source{AppName: "web"})
		Expect(err).NotTo(HaveOccurred())
		results := []bluegreen.Result{{AppName: "api", AppGUID: "g-api"}, {AppName: "web", AppGUID: "g-web", RevisionGUID: "r-web"}, {AppName: "worker", AppGUID: "g-worker"}}
		res := response(OutRequest{Source: Source{AppName: "web"}}, ps, results, nil)
		Expect(res.Version).To(Equal(Version{AppGUID: "g-web", RevisionGUID: "r-web"}))
		Expect(res.Metadata).To(ContainElement(Metadata{"api app_guid", "g-api"}))
		Expect(res.Metadata).To(ContainElement(Metadata{"worker app_guid", "g-worker"}))
	})
})
