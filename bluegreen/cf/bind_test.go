package cf_test

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

var _ = Describe("the port binding services when the Cloud Controller fails", func() {
	var (
		ctx   = context.Background()
		sim   *cfsim.Sim
		info  cfsim.Info
		look  *client.Client // an independent view of the foundation
		space platform.Space
		app   *platform.App
		retry = cf.RetryPolicy{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}
	)
	// connect logs the port in through api (cfsim's, or a proxy in front of it).
	connect := func(api string) *cf.Client {
		port, err := cf.Connect(ctx, cf.Config{API: api, Username: info.Username, Password: info.Password, Retry: retry})
		Expect(err).NotTo(HaveOccurred())
		return port
	}
	BeforeEach(func() {
		var err error
		sim, err = cfsim.Start(cfsim.Config{Routers: 1, ServiceOperationTime: 200 * time.Millisecond})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(sim.Close)
		info = sim.Info()
		look, err = cfpush.Login(info.APIURL, info.Username, info.Password)
		Expect(err).NotTo(HaveOccurred())
		port := connect(info.APIURL)
		space, err = port.Space(ctx, info.Org, info.Space)
		Expect(err).NotTo(HaveOccurred())
		app, err = port.CreateApp(ctx, space.GUID, "shop", nil, nil)
		Expect(err).NotTo(HaveOccurred())
	})
	bindingsOf := func(appGUID string) []string {
		opts := client.NewServiceCredentialBindingListOptions()
		opts.AppGUIDs.EqualTo(appGUID)
		bs, err := look.ServiceCredentialBindings.ListAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		var guids []string
		for _, b := range bs {
			guids = append(guids, b.GUID)
		}
		return guids
	}
	posts := func() int {
		n := 0
		for _, r := range sim.Requests() {
			if r.Method == "POST" && r.Path == "/v3/service_credential_bindings" {
				n++
			}
		}
		return n
	}

	DescribeTable("makes exactly one binding, and returns once it succeeded",
		func(async bool, f cfsim.Fault, sent int) {
			si := createUserProvided(ctx, look, space.GUID, "config", map[string]any{"url": "https://config.example.com"})
			if async {
				si = createManaged(ctx, look, space.GUID, "db", true)
			}
			Expect(sim.AddFault(f)).To(Succeed())
			port := connect(info.APIURL)
			b, err := port.Bind(ctx, platform.BindingRequest{AppGUID: app.GUID, ServiceInstanceGUID: si, Name: "primary"})
			Expect(err).NotTo(HaveOccurred())
			Expect(bindingsOf(app.GUID)).To(Equal([]string{b.GUID}))
			Expect(posts()).To(Equal(sent))
			got, err := look.ServiceCredentialBindings.Get(ctx, b.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.LastOperation.State).To(Equal("succeeded"))
		},
		Entry("user-provided: CC made it, then the answer was lost",
			false, cfsim.Fault{Method: "POST", Path: "^/v3/service_credential_bindings$", Times: 1, Status: 502, After: true}, 1),
		Entry("asynchronous broker: CC made it, then the connection dropped",
			true, cfsim.Fault{Method: "POST", Path: "^/v3/service_credential_bindings$", Times: 1, Drop: true, After: true}, 1),
		Entry("asynchronous broker: CC failed before making it, made on the next try",
			true, cfsim.Fault{Method: "POST", Path: "^/v3/service_credential_bindings$", Times: 2, Status: 503}, 3),
		Entry("asynchronous broker: its job's reads failing now and then",
			true, cfsim.Fault{Method: "GET", Path: "^/v3/jobs/", Rate: 0.15}, 1),
	)

	// cfsim's broker never fails, so a proxy in front of it makes CC tell of a failure.
	DescribeTable("names the binding and CC's description when the broker fails it",
		func(path string, fail func(map[string]any), want string) {
			si := createManaged(ctx, look, space.GUID, "db", true)
			port := connect(failing(info.APIURL, regexp.MustCompile(path), fail))
			_, err := port.Bind(ctx, platform.BindingRequest{AppGUID: app.GUID, ServiceInstanceGUID: si, Name: "primary"})
			Expect(err).To(MatchError(MatchRegexp(`service binding "primary" \S+ of app %s to service instance "db": %s`, app.GUID, want)))
		},
		Entry("its job failed", "^/v3/jobs/", func(job map[string]any) {
			job["state"] = "FAILED"
			job["errors"] = []any{map[string]any{"code": 10001, "title": "CF-ServiceBrokerRequestRejected",
				"detail": "Service broker error: the database is full"}}
		}, "Service broker error: the database is full"),
		Entry("its last operation failed", "^/v3/service_credential_bindings/[^/]+$", func(b map[string]any) {
			b["last_operation"] = map[string]any{"type": "create", "state": "failed", "description": "the database is full"}
		}, "create failed: the database is full"),
	)
})

// failing is a proxy in front of api whose JSON answers to GETs of paths matching re are
// changed by fail.
func failing(api string, re *regexp.Regexp, fail func(map[string]any)) string {
	target, err := url.Parse(api)
	Expect(err).NotTo(HaveOccurred())
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) },
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.Method != http.MethodGet || !re.MatchString(resp.Request.URL.Path) || resp.StatusCode != http.StatusOK {
				return nil
			}
			var body map[string]any
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			_ = resp.Body.Close()
			if err := json.Unmarshal(raw, &body); err != nil {
				return err
			}
			fail(body)
			if raw, err = json.Marshal(body); err != nil {
				return err
			}
			resp.Body = io.NopCloser(bytes.NewReader(raw))
			resp.ContentLength = int64(len(raw))
			resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
			return nil
		},
	}
	srv := httptest.NewServer(proxy)
	DeferCleanup(srv.Close)
	return srv.URL
}
