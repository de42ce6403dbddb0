package integration_test

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("out: blue-green deploys", func() {
	var w *world
	BeforeEach(func() { w = newWorld() })

	It("deploys v1 first, then v2 with zero failed requests, keeping v1 stopped; a third deploy drops the oldest", func() {
		first := w.deploy("v1", nil)
		w.waitServing("v1")
		var resp struct {
			Version  map[string]string   `json:"version"`
			Metadata []map[string]string `json:"metadata"`
		}
		Expect(json.Unmarshal([]byte(first.stdout), &resp)).To(Succeed())
		Expect(resp.Version).To(HaveKey("app_guid"))
		Expect(resp.Version).To(HaveKey("revision_guid"))
		names := map[string]string{}
		for _, m := range resp.Metadata {
			names[m["name"]] = m["value"]
		}
		Expect(names).To(HaveKeyWithValue("app_guid", resp.Version["app_guid"]))
		Expect(names).To(HaveKeyWithValue("strategy", "bluegreen"))
		Expect(names).To(HaveKeyWithValue("routes", w.host()))
		Expect(names).To(HaveKey("phase stage"))
		Expect(names).To(HaveKey("verified " + w.host()))
		Expect(w.apps()).To(Equal([]string{"myapp:STARTED"}))

		l := w.startLoad()
		second := w.deploy("v2", nil)
		versions := l.expectNoFailures()
		Expect(versions).To(HaveKey("v2"))
		Expect(w.serves(30)).To(Equal(map[string]int{"200 v2": 30}), "only v2 is served afterwards")
		Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}))
		Expect(w.routes()).To(Equal([]string{w.host()}), "the temporary route is gone")
		Expect(second.stderr).To(ContainSubstring("myapp is gone from " + w.host() + " on every router"))

		l = w.startLoad()
		w.deploy("v3", nil)
		l.expectNoFailures()
		Expect(w.apps()).To(Equal([]string{"myapp-previous:STOPPED", "myapp:STARTED"}))
		prev := w.appNamed("myapp-previous")
		env, err := w.cf.Applications.GetEnvironmentVariables(context.Background(), prev.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(*env["VERSION"]).To(Equal("v2"), "keep_previous 1 keeps the newest previous version only")
	})

	It("keeps as many previous versions as keep_previous says, and annotates the build", func() {
		for _, v := range []string{"v1", "v2", "v3"} {
			w.deploy(v, map[string]any{"keep_previous": 2})
		}
		Expect(w.apps()).To(Equal([]string{"myapp-previous-2:STOPPED", "myapp-previous:STOPPED", "myapp:STARTED"}))
		live := w.appNamed("myapp")
		Expect(live.Metadata.Labels).To(HaveKeyWithValue("cf-bluegreen-resource/role", ptr("live")))
		Expect(live.Metadata.Annotations).To(HaveKeyWithValue("cf-bluegreen-resource/build-url", ptr("https://ci.example.com/builds/42")))
		Expect(live.Metadata.Annotations).To(HaveKeyWithValue("cf-bluegreen-resource/build-pipeline", ptr("deploy")))
	})

	It("lets the candidate inherit env vars set with cf set-env, unless inherit_env is false", func() {
		w.deploy("v1", nil)
		live := w.appNamed("myapp")
		_, err := w.cf.Applications.SetEnvironmentVariables(context.Background(), live.GUID, map[string]*string{"FEATURE": ptr("on")})
		Expect(err).NotTo(HaveOccurred())
		w.deploy("v2", nil)
		Expect(w.envOf("myapp")).To(HaveKeyWithValue("FEATURE", "on"))
		w.deploy("v3", map[string]any{"inherit_env": false})
		Expect(w.envOf("myapp")).NotTo(HaveKey("FEATURE"))
	})

	It("never prints the credentials or the vars", func() {
		r := w.deploy("s3cr3t-version-value", map[string]any{"environment_variables": map[string]any{"API_KEY": "do-not-print-me"}})
		for _, secret := range []string{w.info.Password, "s3cr3t-version-value", "do-not-print-me"} {
			Expect(r.stdout + r.stderr).NotTo(ContainSubstring(secret))
		}
	})
})

func ptr(s string) *string { return &s }

func (w *world) appNamed(name string) *appView {
	opts := client.NewAppListOptions()
	opts.Names.EqualTo(name)
	app, err := w.cf.Applications.Single(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return &appView{GUID: app.GUID, Metadata: app.Metadata}
}

func (w *world) envOf(name string) map[string]string {
	env, err := w.cf.Applications.GetEnvironmentVariables(context.Background(), w.appNamed(name).GUID)
	Expect(err).NotTo(HaveOccurred())
	out := map[string]string{}
	for k, v := range env {
		out[k] = *v
	}
	return out
}

func firstLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
