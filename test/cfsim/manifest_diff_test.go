package cfsim_test

import (
	"context"
	"net/http"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("manifest diff", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("shows what a manifest would change on an existing app, as JSON patch operations", func() {
		f.push(pushOpts{name: "differ", version: "v1"})
		// go-cfclient reads was and value as strings, so it can read a diff of string values.
		diff, err := f.cf.Manifests.ManifestDiff(ctx, f.SpaceGUID, "applications:\n- name: differ\n  env:\n    VERSION: v2\n    MODE: fast\n")
		Expect(err).NotTo(HaveOccurred())
		Expect(diff.Diff).To(ConsistOf(
			resource.ManifestDiffItem{Op: "add", Path: "/applications/0/env/MODE", Value: "fast"},
			resource.ManifestDiffItem{Op: "replace", Path: "/applications/0/env/VERSION", Was: "v1", Value: "v2"},
		))

		status, body := f.raw(http.MethodPost, "/v3/spaces/"+f.SpaceGUID+"/manifest_diff", "application/x-yaml", `applications:
- name: differ
  instances: 2
  memory: 1G
  routes:
  - route: differ.`+f.info.Domain+`
  - route: differ.`+f.info.SecondDomain+`
  processes:
  - type: web
    memory: 128M
    disk_quota: 1G
`)
		Expect(status).To(Equal(201))
		Expect(body).To(MatchJSON(`{"diff":[
			{"op":"replace","path":"/applications/0/instances","was":1,"value":2},
			{"op":"replace","path":"/applications/0/processes/0/memory","was":"64M","value":"128M"},
			{"op":"add","path":"/applications/0/routes/1","value":{"route":"differ.` + f.info.SecondDomain + `"}}]}`))
	})

	It("shows every key of an app that does not exist yet as an add", func() {
		status, body := f.raw(http.MethodPost, "/v3/spaces/"+f.SpaceGUID+"/manifest_diff", "application/x-yaml",
			"applications:\n- name: brand-new\n  instances: 3\n  stack: cflinuxfs4\n")
		Expect(status).To(Equal(201))
		Expect(body).To(MatchJSON(`{"diff":[
			{"op":"add","path":"/applications/0/instances","value":3},
			{"op":"add","path":"/applications/0/name","value":"brand-new"},
			{"op":"add","path":"/applications/0/stack","value":"cflinuxfs4"}]}`))
		Expect(f.cf.Manifests.ManifestDiff(ctx, f.SpaceGUID, "applications:\n- name: brand-new\n  stack: cflinuxfs4\n")).
			To(HaveField("Diff", HaveLen(2)))
	})

	It("validates the manifest as apply_manifest does", func() {
		_, err := f.cf.Manifests.ManifestDiff(ctx, f.SpaceGUID, "applications:\n- name: bad\n  instances: -1\n")
		Expect(err).To(MatchError(ContainSubstring("For application 'bad': Instances must be greater than or equal to 0")))
		status, _ := f.raw(http.MethodPost, "/v3/spaces/"+f.SpaceGUID+"/manifest_diff", "application/json", "{}")
		Expect(status).To(Equal(400))
	})
})
