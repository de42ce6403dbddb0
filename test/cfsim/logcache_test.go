package cfsim_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("Log Cache", func() {
	var f *foundation
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 2, StagingTime: 50 * time.Millisecond}) })
	AfterEach(func() { f.close() })

	It("is advertised by the root's log_cache link, on its own listener, with an open /api/v1/info", func() {
		Expect(f.logCacheURL()).To(Equal(f.info.LogCacheURL))
		Expect(f.logCacheURL()).NotTo(Equal(f.info.APIURL))
		resp, body := rawGet(f.info.LogCacheURL+"/api/v1/info", "")
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(body).To(MatchRegexp(`^\{"version":"3\.0\.0","vm_uptime":"\d+"\}\n$`))
	})

	It("answers 404 with an empty body without a token, with a bad one, and for a source that is no app", func() {
		app, _ := f.push(pushOpts{name: "quiet", version: "v1", noStart: true})
		for _, auth := range []string{"", "bearer not.a.token"} {
			resp, body := rawGet(f.info.LogCacheURL+"/api/v1/read/"+app.GUID, auth)
			Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
			Expect(body).To(BeEmpty())
		}
		status, body := f.logCacheGet("/api/v1/read/not-an-app", nil)
		Expect(status).To(Equal(http.StatusNotFound))
		Expect(body).To(BeEmpty())
	})

	It("keeps staging lines, both streams of every process type, and the cell's and CC's lines for a crash", func() {
		app := f.pushWithWorker("chatty", map[string]string{"CRASH_AFTER": "1s"})
		crashed := func() []string { return containing(f.recentLines(app.GUID), "[API/0]", "exit_description") }
		Eventually(crashed, 20*time.Second, 100*time.Millisecond).Should(ContainElements(
			ContainSubstring(`"exit_description"=>"APP/PROC/WEB: Exited with status 1"`),
			ContainSubstring(`"exit_description"=>"APP/PROC/WORKER: Exited with status 1"`)))
		all := f.recentLines(app.GUID)
		Expect(all).To(ContainElements("[STG/0] OUT Downloading app package...", "[STG/0] OUT Exit status 0",
			"[STG/0] OUT Uploading complete", `[API/0] OUT Process has crashed with type: "web"`,
			`[API/0] OUT Process has crashed with type: "worker"`))
		for _, source := range []string{"[APP/PROC/WEB/0]", "[APP/PROC/WORKER/0]"} {
			Expect(containing(all, source, "OUT versioned: version=v1 listening on")).NotTo(BeEmpty())
			Expect(containing(all, source, "ERR versioned: crashing because CRASH_AFTER=1s has passed")).NotTo(BeEmpty())
			Expect(containing(all, source, "OUT Exit status 1")).NotTo(BeEmpty())
		}
		for _, cell := range []string{"creating container for instance", "successfully created container",
			"Container became healthy", "stopping instance", "successfully destroyed container"} {
			Expect(containing(all, "[CELL/0] OUT", cell)).NotTo(BeEmpty(), cell)
		}
		Expect(f.sim.RecentLogs(app.GUID)).To(ContainElement(And(
			HaveField("Source", "STG/0"), HaveField("Message", "Uploading complete"), HaveField("Type", "OUT"))))
	})

	It("serves envelopes as Log Cache does: ns timestamps as strings, base64 payloads, the app's tags", func() {
		app, _ := f.push(pushOpts{name: "shape", version: "v1"})
		f.waitRunning(app.GUID, 1)
		envs := f.readLogs(app.GUID, url.Values{"limit": {"1000"}})
		var out *envelope
		for i, e := range envs {
			if e.Tags["source_type"] == "APP/PROC/WEB" && e.Log.Type == "OUT" {
				out = &envs[i]
				break
			}
		}
		Expect(out).NotTo(BeNil())
		Expect(out.SourceID).To(Equal(app.GUID))
		Expect(out.InstanceID).To(Equal("0"))
		Expect(out.Timestamp).To(MatchRegexp(`^\d{19}$`))
		Expect(out.DeprecatedTags).To(BeEmpty())
		Expect(string(out.Log.Payload)).To(HavePrefix("versioned: version=v1 listening on"))
		Expect(out.Tags).To(HaveKeyWithValue("app_id", app.GUID))
		Expect(out.Tags).To(HaveKeyWithValue("app_name", "shape"))
		Expect(out.Tags).To(HaveKeyWithValue("process_type", "web"))
		Expect(out.Tags).To(HaveKeyWithValue("space_name", f.info.Space))
		Expect(out.Tags).To(HaveKeyWithValue("organization_name", f.info.Org))
		Expect(out.Tags).To(HaveKey("process_instance_id"))
	})

	It("puts a task's output under APP/TASK/<name> and its container under CELL", func() {
		app, _ := f.push(pushOpts{name: "tasker", version: "v1", noStart: true})
		task, err := f.cf.Tasks.Create(context.Background(), app.GUID, &resource.TaskCreate{Command: ptr("./versioned"), Name: ptr("migrate")})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() string { return f.taskState(task.GUID) }, 10*time.Second, 50*time.Millisecond).Should(Equal("FAILED"))
		Eventually(func() []string { return f.recentLines(app.GUID) }, 5*time.Second, 50*time.Millisecond).Should(ContainElements(
			"[CELL/0] OUT Cell cfsim-cell-0 creating container for instance "+task.GUID,
			HavePrefix("[APP/TASK/migrate/0] ERR versioned: invalid environment: PORT must be a port number"),
			"[APP/TASK/migrate/0] OUT Exit status 1",
			"[CELL/0] OUT Cell cfsim-cell-0 successfully destroyed container for instance "+task.GUID))
	})

	It("records an RTR access line, in gorouter's format, for each request a router proxied", func() {
		app, _ := f.push(pushOpts{name: "routed", version: "v1"})
		f.waitRunning(app.GUID, 1)
		var r reply
		Eventually(func() int {
			r = get(f.info.LBURL, f.host("routed"), "/some/path?q=1", "User-Agent", "spec-agent/1.0", "Referer", "http://ref.example")
			return r.status
		}, 10*time.Second, 50*time.Millisecond).Should(Equal(http.StatusOK))
		requestID := r.header.Get("X-Vcap-Request-Id")
		var rtr []string
		Eventually(func() []string {
			rtr = containing(f.recentLines(app.GUID), "[RTR/", requestID)
			return rtr
		}, 5*time.Second, 50*time.Millisecond).Should(HaveLen(1))
		Expect(rtr[0]).To(MatchRegexp(`^\[RTR/[01]\] OUT routed\.apps\.cfsim\.test - \[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z\] ` +
			`"GET /some/path\?q=1 HTTP/1\.1" 200 0 \d+ "http://ref\.example" "spec-agent/1\.0" "127\.0\.0\.1:\d+" "127\.0\.0\.1:\d+" ` +
			`x_forwarded_for:"[0-9., ]+" x_forwarded_proto:"http" vcap_request_id:"` + regexp.QuoteMeta(requestID) + `" ` +
			`response_time:\d+\.\d{6} gorouter_time:\d+\.\d{6} app_id:"` + app.GUID + `" app_index:"0" ` +
			`instance_id:"[0-9a-f-]+" route_service_url:"-" x_cf_routererror:"-"$`))
	})

	It("filters by start_time (inclusive), end_time (exclusive), envelope_types, limit and descending", func() {
		app, _ := f.push(pushOpts{name: "filtered", version: "v1", noStart: true})
		all := f.readLogs(app.GUID, url.Values{"limit": {"1000"}})
		Expect(len(all)).To(BeNumerically(">=", 8))
		ts := func(i int) string { return all[i].Timestamp }
		Expect(f.readLogs(app.GUID, url.Values{"start_time": {ts(2)}, "end_time": {ts(5)}})).To(Equal(all[2:5]))
		Expect(f.readLogs(app.GUID, url.Values{"limit": {"2"}})).To(Equal(all[:2]))
		newest := f.readLogs(app.GUID, url.Values{"limit": {"2"}, "descending": {"true"}})
		Expect(newest).To(Equal([]envelope{all[len(all)-1], all[len(all)-2]}))
		Expect(f.readLogs(app.GUID, url.Values{"envelope_types": {"COUNTER"}})).To(BeEmpty())
		Expect(f.readLogs(app.GUID, url.Values{"envelope_types": {"GAUGE", "LOG"}, "limit": {"1000"}})).To(Equal(all))
	})

	It("returns 100 envelopes by default and refuses a limit over 1000 or a start after the end", func() {
		app, _ := f.push(pushOpts{name: "busy", version: "v1"})
		f.waitRunning(app.GUID, 1)
		for range 110 {
			Eventually(func() int { return get(f.info.LBURL, f.host("busy"), "/").status }, 5*time.Second).Should(Equal(200))
		}
		Expect(f.readLogs(app.GUID, nil)).To(HaveLen(100))
		status, body := f.logCacheGet("/api/v1/read/"+app.GUID, url.Values{"limit": {"1001"}})
		Expect(status).To(Equal(http.StatusInternalServerError))
		Expect(body).To(MatchJSON(`{"code":2,"message":"Limit (1001) must be 1000 or less","details":[]}`))
		status, body = f.logCacheGet("/api/v1/read/"+app.GUID, url.Values{"start_time": {"20"}, "end_time": {"10"}})
		Expect(status).To(Equal(http.StatusInternalServerError))
		Expect(body).To(MatchJSON(`{"code":2,"message":"StartTime (20) must be before EndTime (10)","details":[]}`))
	})

	It("lists the apps that have envelopes in /api/v1/meta", func() {
		app, _ := f.push(pushOpts{name: "counted", version: "v1", noStart: true})
		n := len(f.readLogs(app.GUID, url.Values{"limit": {"1000"}}))
		status, body := f.logCacheGet("/api/v1/meta", nil)
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring(`"` + app.GUID + `":{"count":"` + strconv.Itoa(n) + `"`))
	})
})

func ptr[T any](v T) *T { return &v }

func (f *foundation) taskState(guid string) string {
	t, err := f.cf.Tasks.Get(context.Background(), guid)
	Expect(err).NotTo(HaveOccurred())
	return t.State
}

var _ = Describe("Log Cache with Config.TLS", func() {
	It("serves HTTPS with the API's certificate", func() {
		sim, err := cfsim.Start(cfsim.Config{Routers: 1, TLS: true})
		Expect(err).NotTo(HaveOccurred())
		defer func() { Expect(sim.Close()).To(Succeed()) }()
		info := sim.Info()
		Expect(info.LogCacheURL).To(HavePrefix("https://127.0.0.1:"))
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM([]byte(info.CACert))).To(BeTrue())
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		resp, err := c.Get(info.LogCacheURL + "/api/v1/info")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
	})
})
