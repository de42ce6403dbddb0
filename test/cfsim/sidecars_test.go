package cfsim_test

import (
	"context"
	"net/http"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("sidecars", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("lists none for an app and its processes, as an empty page", func() {
		app, _ := f.push(pushOpts{name: "plain", version: "v1", noStart: true})
		web := f.webProcess(app.GUID)
		sidecars, err := f.cf.Sidecars.ListForAppAll(ctx, app.GUID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sidecars).To(BeEmpty())
		sidecars, err = f.cf.Sidecars.ListForProcessAll(ctx, web, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sidecars).To(BeEmpty())

		status, body := f.raw(http.MethodGet, "/v3/processes/"+web+"/sidecars", "", "")
		Expect(status).To(Equal(200))
		page := f.info.APIURL + "/v3/processes/" + web + "/sidecars?page=1&per_page=50"
		Expect(body).To(MatchJSON(`{"pagination":{"total_results":0,"total_pages":1,"first":{"href":"` + page +
			`"},"last":{"href":"` + page + `"},"next":null,"previous":null},"resources":[]}`))
		_, err = f.cf.Sidecars.ListForProcessAll(ctx, "no-such-process", nil)
		Expect(err).To(MatchError(ContainSubstring("Process not found")))
	})

	It("creates, lists by app and process, updates and deletes sidecars with CC's checks", func() {
		app, _ := f.push(pushOpts{name: "with-sidecar", version: "v1", noStart: true})
		memory := 16
		sc, err := f.cf.Sidecars.Create(ctx, app.GUID, &resource.SidecarCreate{Name: "auth", Command: "./auth",
			ProcessTypes: []string{"web"}, MemoryInMB: &memory})
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Origin).To(Equal("user"))
		Expect(sc.Relationships.App.Data.GUID).To(Equal(app.GUID))

		byProcess, err := f.cf.Sidecars.ListForProcessAll(ctx, f.webProcess(app.GUID), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(byProcess).To(HaveLen(1))
		Expect(byProcess[0].Name).To(Equal("auth"))

		_, err = f.cf.Sidecars.Create(ctx, app.GUID, &resource.SidecarCreate{Name: "auth", Command: "x", ProcessTypes: []string{"web"}})
		Expect(err).To(MatchError(ContainSubstring("Sidecar with name 'auth' already exists for given app")))
		huge := 4096
		_, err = f.cf.Sidecars.Create(ctx, app.GUID, &resource.SidecarCreate{Name: "big", Command: "x", ProcessTypes: []string{"web"}, MemoryInMB: &huge})
		Expect(err).To(MatchError(ContainSubstring(`The memory allocation defined is too large to run with the dependent "web" process`)))
		_, err = f.call(http.MethodPost, "/v3/apps/"+app.GUID+"/sidecars", `{"name":"","process_types":[]}`)
		Expect(err).To(MatchError(ContainSubstring("Name can't be blank, Command can't be blank, Command must be a string, " +
			"Process types must have at least 1 process_type")))

		command := "./auth --verbose"
		sc, err = f.cf.Sidecars.Update(ctx, sc.GUID, &resource.SidecarUpdate{Command: &command})
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Command).To(Equal(command))
		Expect(sc.MemoryInMB).To(Equal(16))

		Expect(f.cf.Sidecars.Delete(ctx, sc.GUID)).To(Succeed())
		_, err = f.cf.Sidecars.Get(ctx, sc.GUID)
		Expect(err).To(MatchError(ContainSubstring("Sidecar not found")))
	})

	It("keeps a manifest's sidecars by name and presents them in the app's manifest", func() {
		manifest := func(command string) string {
			return "applications:\n- name: sided\n  sidecars:\n  - name: proxy\n    process_types: [web]\n    command: " +
				command + "\n    memory: 64M\n"
		}
		Expect(f.applyManifest(manifest("./proxy"))).To(Succeed())
		Expect(f.applyManifest(manifest("./proxy --port 9000"))).To(Succeed())
		app := f.appNamed("sided")
		sidecars, err := f.cf.Sidecars.ListForAppAll(ctx, app.GUID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(sidecars).To(HaveLen(1))
		Expect(sidecars[0].Command).To(Equal("./proxy --port 9000"))
		Expect(sidecars[0].MemoryInMB).To(Equal(64))

		text, err := f.cf.Manifests.Generate(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		var m struct {
			Applications []struct {
				Sidecars []map[string]any `yaml:"sidecars"`
			} `yaml:"applications"`
		}
		Expect(yaml.Unmarshal([]byte(text), &m)).To(Succeed())
		Expect(m.Applications[0].Sidecars).To(Equal([]map[string]any{
			{"name": "proxy", "process_types": []any{"web"}, "command": "./proxy --port 9000", "memory": "64M"}}))

		_, err = f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID, "applications:\n- name: sided\n  sidecars:\n  - name: nocmd\n    process_types: [web]\n")
		Expect(err).To(MatchError(ContainSubstring(`For application 'sided': Sidecar "nocmd": Command can't be blank`)))
	})
})
