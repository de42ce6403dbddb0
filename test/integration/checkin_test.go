package integration_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

var _ = Describe("check and in", func() {
	var w *world
	BeforeEach(func() { w = newWorld() })

	It("tracks releases across blue-green deploys, rolling deploys and a manual push, and gets each", func() {
		Expect(w.check(nil)).To(BeEmpty(), "check before any deploy")

		v1 := versionOf(w.deploy("v1", nil).stdout)
		Expect(w.check(nil)).To(Equal([]map[string]string{v1}), "the first check reports the current version only")
		Expect(w.check(v1)).To(Equal([]map[string]string{v1}))

		v2 := versionOf(w.deploy("v2", nil).stdout)
		Expect(v2["app_guid"]).NotTo(Equal(v1["app_guid"]), "blue-green makes a new app")
		Expect(w.check(v1)).To(Equal([]map[string]string{v1, v2}), "oldest first, including the given one")

		w.write("manifest.yml", strings.Replace(w.read("manifest.yml"), "instances: 2", "instances: 1", 1))
		v3 := versionOf(w.deploy("v3", map[string]any{"strategy": "rolling"}).stdout)
		Expect(v3["app_guid"]).To(Equal(v2["app_guid"]), "a deployment keeps the app")
		Expect(w.check(v2)).To(Equal([]map[string]string{v2, v3}))

		w.pushByHand("v4")
		after := w.check(v3)
		Expect(after).To(HaveLen(2), "a cf push outside the resource shows up")
		Expect(after[0]).To(Equal(v3))
		Expect(after[1]["app_guid"]).To(Equal(v3["app_guid"]))

		for v, body := range map[string]map[string]string{"v1": v1, "v2": v2, "v3": v3} {
			dir := GinkgoT().TempDir()
			r := w.in(dir, body, nil)
			Expect(r.code).To(Equal(0), r.stderr)
			Expect(versionOf(r.stdout)).To(Equal(body))
			Expect(w.readFile(dir, "app_guid")).To(Equal(body["app_guid"]))
			Expect(w.readFile(dir, "revision_guid")).To(Equal(body["revision_guid"]))
			Expect(w.readFile(dir, "manifest.yml")).To(ContainSubstring("name: myapp"))
			var meta map[string]any
			Expect(json.Unmarshal([]byte(w.readFile(dir, "metadata.json")), &meta)).To(Succeed())
			Expect(meta).To(HaveKey("droplet"))
			Expect(meta["build_url"]).To(Equal("https://ci.example.com/builds/42"), "deployed %s by the build", v)
			Expect(filepath.Join(dir, "droplet.tgz")).NotTo(BeAnExistingFile(), "no droplet unless asked")
		}
	})

	It("answers the implicit get after a put with the same version, cheaply", func() {
		v := versionOf(w.deploy("v1", nil).stdout)
		w.sim.ResetRequests()
		r := w.in(GinkgoT().TempDir(), v, map[string]any{})
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(versionOf(r.stdout)).To(Equal(v))
		for _, req := range w.sim.Requests() {
			Expect(req.Path).NotTo(HaveSuffix("/download"))
			Expect(req.Mutating()).To(BeFalse())
		}
	})

	It("fails clearly for a version whose app was deleted", func() {
		v1 := versionOf(w.deploy("v1", nil).stdout)
		w.deploy("v2", map[string]any{"keep_previous": 0})
		r := w.in(GinkgoT().TempDir(), v1, nil)
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("version " + v1["app_guid"] + "/" + v1["revision_guid"] + " is not available: app " + v1["app_guid"] + " no longer exists (deleted)"))
		Expect(w.check(v1)).To(HaveLen(1), "check falls back to the current version when the given one is gone")
	})

	It("promotes the droplet an in fetched from one space to another, serving byte-identical responses", func() {
		v := versionOf(w.deploy("v1", nil).stdout)
		got := filepath.Join(w.inputs, "got")
		Expect(os.MkdirAll(got, 0o755)).To(Succeed())
		r := w.in(got, v, map[string]any{"download_droplet": true})
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(filepath.Join(got, "droplet.tgz")).To(BeAnExistingFile())

		_, err := w.cf.Spaces.Create(context.Background(), resource.NewSpaceCreate("other", w.orgGUID()))
		Expect(err).NotTo(HaveOccurred())
		w.write("promote.yml", strings.Replace(w.read("manifest.yml"), "name: myapp", "name: promoted", 1))
		req := w.request("v1", map[string]any{"manifest": "promote.yml", "droplet": "got/droplet.tgz"})
		req["source"].(map[string]any)["space"] = "other"
		out := w.out(req)
		Expect(out.code).To(Equal(0), out.stderr)
		Expect(out.stderr).To(ContainSubstring("upload droplet"))
		Expect(out.stderr).NotTo(ContainSubstring("✓\x1b[0m stage"), "no staging")
		var droplet struct {
			SHA256 string `json:"sha256"`
		}
		Expect(json.Unmarshal([]byte(w.readJSONField(got, "metadata.json", "droplet")), &droplet)).To(Succeed())
		Expect(metadataOf(out.stdout)).To(HaveKeyWithValue("droplet_sha256", droplet.SHA256))

		a := get(w.info.LBURL, w.host())
		b := get(w.info.LBURL, "promoted."+w.info.Domain)
		Expect(b.status).To(Equal(200))
		Expect(b.body).To(Equal(a.body))
		Expect(b.header.Get("X-App-Version")).To(Equal(a.header.Get("X-App-Version")))
	})

	It("speaks Concourse's exact payloads: check without version, in without params, one JSON value of strings", func() {
		w.deploy("v1", nil)
		src, _ := json.Marshal(w.source())
		stdout := w.runRaw(bins.Check, `{"source":`+string(src)+`}`)
		var versions []map[string]any
		Expect(json.Unmarshal([]byte(stdout), &versions)).To(Succeed())
		Expect(versions).To(HaveLen(1))
		for _, val := range versions[0] {
			Expect(val).To(BeAssignableToTypeOf(""), "version values must be strings")
		}
		ver, _ := json.Marshal(versions[0])
		stdout = w.runRaw(bins.In, `{"source":`+string(src)+`,"version":`+string(ver)+`}`, GinkgoT().TempDir())
		dec := json.NewDecoder(strings.NewReader(stdout))
		var resp map[string]any
		Expect(dec.Decode(&resp)).To(Succeed())
		Expect(dec.More()).To(BeFalse(), "exactly one JSON value on stdout")
		Expect(resp["version"]).To(Equal(versions[0]))
	})

	DescribeTable("refuses bad input with one line naming the field",
		func(bin func() string, body func(w *world) string, want string) {
			stdout := ""
			cmd := exec.Command(bin(), GinkgoT().TempDir())
			cmd.Stdin = strings.NewReader(body(w))
			s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			scan.track(s, cmd, []byte(body(w)))
			Eventually(s, time.Minute).Should(gexec.Exit())
			Expect(s.ExitCode()).NotTo(Equal(0))
			stdout = string(s.Out.Contents())
			Expect(stdout).To(BeEmpty())
			lines := strings.Split(strings.TrimSpace(string(s.Err.Contents())), "\n")
			Expect(lines).To(HaveLen(1))
			Expect(lines[0]).To(ContainSubstring(want))
		},
		Entry("check without source.app_name", func() string { return bins.Check }, func(w *world) string {
			return `{"source":{"api":"` + w.info.APIURL + `","username":"u","password":"p","organization":"o","space":"s"}}`
		}, "source.app_name: required"),
		Entry("check with a version of the wrong shape", func() string { return bins.Check }, func(w *world) string {
			return `{"source":` + w.sourceJSON() + `,"version":{"ref":"x"}}`
		}, `unknown field "ref"`),
		Entry("in without a version", func() string { return bins.In }, func(w *world) string {
			return `{"source":` + w.sourceJSON() + `}`
		}, "version: required"),
		Entry("in with an unknown param", func() string { return bins.In }, func(w *world) string {
			return `{"source":` + w.sourceJSON() + `,"version":{"app_guid":"a","revision_guid":"b"},"params":{"skip_download":true}}`
		}, `unknown field "skip_download"`),
		Entry("in with download_droplet not a boolean", func() string { return bins.In }, func(w *world) string {
			return `{"source":` + w.sourceJSON() + `,"version":{"app_guid":"a","revision_guid":"b"},"params":{"download_droplet":"yes"}}`
		}, "params.download_droplet: expected true or false"),
		Entry("a version value that is not a string", func() string { return bins.In }, func(w *world) string {
			return `{"source":` + w.sourceJSON() + `,"version":{"app_guid":1,"revision_guid":"b"}}`
		}, "version.app_guid: expected a string"),
	)
})

func versionOf(stdout string) map[string]string {
	var resp struct {
		Version map[string]string `json:"version"`
	}
	Expect(json.Unmarshal([]byte(stdout), &resp)).To(Succeed())
	return resp.Version
}

// source is the resource's source for myapp.
func (w *world) source() map[string]any {
	src := w.request("v", nil)["source"].(map[string]any)
	src["app_name"] = appName
	return src
}

func (w *world) sourceJSON() string {
	b, _ := json.Marshal(w.source())
	return string(b)
}

// check runs check with a version (nil: the first check ever).
func (w *world) check(from map[string]string) []map[string]string {
	req := map[string]any{"source": w.source()}
	if from != nil {
		req["version"] = from
	}
	body, _ := json.Marshal(req)
	var out []map[string]string
	Expect(json.Unmarshal([]byte(w.runRaw(bins.Check, string(body))), &out)).To(Succeed())
	return out
}

func (w *world) in(dir string, version map[string]string, params map[string]any) run {
	req := map[string]any{"source": w.source(), "version": version}
	if params != nil {
		req["params"] = params
	}
	return runBin(bins.In, req, dir)
}

// runRaw runs a binary with stdin and expects success; it returns stdout.
func (w *world) runRaw(bin, stdin string, args ...string) string {
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	scan.track(s, cmd, []byte(stdin))
	Eventually(s, time.Minute).Should(gexec.Exit(0))
	return string(s.Out.Contents())
}

func (w *world) read(rel string) string {
	b, err := os.ReadFile(filepath.Join(w.inputs, rel))
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

func (w *world) readFile(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	Expect(err).NotTo(HaveOccurred())
	return strings.TrimSpace(string(b))
}

func (w *world) readJSONField(dir, name, field string) string {
	var m map[string]json.RawMessage
	Expect(json.Unmarshal([]byte(w.readFile(dir, name)), &m)).To(Succeed())
	return string(m[field])
}

func (w *world) orgGUID() string {
	orgs, err := w.cf.Organizations.ListAll(context.Background(), nil)
	Expect(err).NotTo(HaveOccurred())
	return orgs[0].GUID
}

// pushByHand stages new bits on the live app and restarts it, as `cf push` without the
// resource would: a new droplet, so a new revision.
func (w *world) pushByHand(version string) {
	ctx := context.Background()
	p, err := cfpush.NewPusher(ctx, w.cf, w.info.Space, w.info.Domain)
	Expect(err).NotTo(HaveOccurred())
	zip := filepath.Join(GinkgoT().TempDir(), "versioned.zip")
	Expect(cfpush.ZipApp(zip, bins.Versioned, "web: ./versioned\n")).To(Succeed())
	app := w.appNamed(appName)
	droplet, err := p.Stage(ctx, app.GUID, zip)
	Expect(err).NotTo(HaveOccurred())
	_, err = w.cf.Droplets.SetCurrentAssociationForApp(ctx, app.GUID, droplet)
	Expect(err).NotTo(HaveOccurred())
	_, err = w.cf.Applications.SetEnvironmentVariables(ctx, app.GUID, map[string]*string{"VERSION": &version})
	Expect(err).NotTo(HaveOccurred())
	_, err = w.cf.Applications.Restart(ctx, app.GUID)
	Expect(err).NotTo(HaveOccurred())
}

// reply is an answer through a router.
type reply struct {
	status int
	body   string
	header http.Header
}

func get(base, host string) reply { return getPath(base, host, "/") }
