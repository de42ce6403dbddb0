package cf

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var fast = RetryPolicy{Attempts: 4, Base: time.Millisecond, Max: 4 * time.Millisecond}

var _ = Describe("the retry policy", func() {
	It("waits exponentially longer, capped, with half of each wait random", func() {
		p := RetryPolicy{Attempts: 9, Base: 100 * time.Millisecond, Max: time.Second}
		for n, step := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond,
			3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 40: time.Second} {
			seen := map[time.Duration]bool{}
			for range 200 {
				d := p.Backoff(n)
				Expect(d).To(BeNumerically(">=", step/2), "wait %d", n)
				Expect(d).To(BeNumerically("<=", step), "wait %d", n)
				seen[d] = true
			}
			Expect(len(seen)).To(BeNumerically(">", 10), "wait %d is jittered", n)
		}
	})

	It("fills in defaults: 5 tries, 250ms doubling up to 4s", func() {
		Expect(RetryPolicy{}.withDefaults()).To(Equal(RetryPolicy{Attempts: 5, Base: 250 * time.Millisecond, Max: 4 * time.Second}))
	})
})

// scripted is a Cloud Controller that answers each request with the next status of its
// script (200 once the script runs out), counting requests and recording bodies.
type scripted struct {
	mu      sync.Mutex
	script  []int
	headers http.Header
	calls   int
	bodies  []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.calls++
	s.bodies = append(s.bodies, string(body))
	status := http.StatusOK
	if len(s.script) > 0 {
		status, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()
	for k, v := range s.headers {
		w.Header()[k] = v
	}
	switch status {
	case 0: // drop the connection without an answer
		conn, _, _ := w.(http.Hijacker).Hijack()
		_ = conn.Close()
	case http.StatusOK:
		_, _ = io.WriteString(w, `{}`)
	default:
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"errors":[{"detail":"An unknown error occurred.","title":"UnknownError","code":10001}]}`)
	}
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

var _ = Describe("the retrying transport", func() {
	var (
		cc     *scripted
		server *httptest.Server
		client *http.Client
	)
	BeforeEach(func() {
		cc = &scripted{}
		server = httptest.NewServer(cc)
		DeferCleanup(server.Close)
		client = &http.Client{Transport: &retryTransport{base: http.DefaultTransport, policy: fast}}
	})

	send := func(method, path, body string) (*http.Response, error) {
		req, err := http.NewRequest(method, server.URL+path, strings.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		return client.Do(req)
	}

	DescribeTable("retries requests that are safe to repeat until CC answers",
		func(method, path string) {
			cc.script = []int{502, 503, 429}
			resp, err := send(method, path, `{"name":"x"}`)
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.StatusCode).To(Equal(200))
			Expect(cc.count()).To(Equal(4))
		},
		Entry("a read", http.MethodGet, "/v3/apps"),
		Entry("an update", http.MethodPatch, "/v3/apps/g"),
		Entry("a delete", http.MethodDelete, "/v3/apps/g"),
		Entry("a start", http.MethodPost, "/v3/apps/g/actions/start"),
		Entry("a stop", http.MethodPost, "/v3/apps/g/actions/stop"),
		Entry("a route mapping", http.MethodPost, "/v3/routes/g/destinations"),
		Entry("a manifest", http.MethodPost, "/v3/spaces/g/actions/apply_manifest"),
		Entry("a deployment cancel", http.MethodPost, "/v3/deployments/g/actions/cancel"),
		Entry("a token", http.MethodPost, "/oauth/token"),
		Entry("a resource match (a question, not a change)", http.MethodPost, "/v3/resource_matches"),
		Entry("a process scale (to absolute sizes)", http.MethodPost, "/v3/processes/g/actions/scale"),
		Entry("network policies (created only if missing)", http.MethodPost, "/networking/v1/external/policies"),
	)

	It("sends the same body on every try", func() {
		cc.script = []int{502, 502}
		_, err := send(http.MethodPatch, "/v3/apps/g", `{"name":"myapp"}`)
		Expect(err).NotTo(HaveOccurred())
		Expect(cc.bodies).To(Equal([]string{`{"name":"myapp"}`, `{"name":"myapp"}`, `{"name":"myapp"}`}))
	})

	It("retries a read whose connection was dropped", func() {
		cc.script = []int{0, 0}
		resp, err := send(http.MethodGet, "/v3/apps", "")
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.StatusCode).To(Equal(200))
		Expect(cc.count()).To(Equal(3))
	})

	It("gives up after the policy's tries with a transient error naming the request and CC's reason", func() {
		cc.script = []int{502, 502, 502, 502, 502}
		_, err := send(http.MethodGet, "/v3/apps", "")
		te, ok := asTransient(err)
		Expect(ok).To(BeTrue(), "%v", err)
		Expect(te.Status).To(Equal(502))
		Expect(te.Attempts).To(Equal(4))
		Expect(err.Error()).To(ContainSubstring("GET /v3/apps: the Cloud Controller answered 502 (UnknownError: An unknown error occurred.) after 4 tries"))
		Expect(cc.count()).To(Equal(4))
	})

	DescribeTable("names the server that answered: Log Cache and the policy server share the transport",
		func(path, server string) {
			err := (&TransientError{Method: http.MethodGet, Path: path, Status: 501, Attempts: 4}).Error()
			Expect(err).To(Equal("GET " + path + ": " + server + " answered 501 after 4 tries"))
		},
		Entry("the Cloud Controller", "/v3/apps", "the Cloud Controller"),
		Entry("Log Cache", "/api/v1/query", "Log Cache"),
		Entry("the policy server", "/networking/v1/external/policies", "the policy server"),
	)

	DescribeTable("does not repeat a create or a refused request",
		func(method, path string, status int, transient bool) {
			cc.script = []int{status}
			resp, err := send(method, path, `{}`)
			Expect(cc.count()).To(Equal(1))
			if transient {
				Expect(IsTransient(err)).To(BeTrue(), "%v", err)
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(resp.StatusCode).To(Equal(status))
		},
		Entry("an app create answered 502: CC may have made it", http.MethodPost, "/v3/apps", 502, true),
		Entry("a route create whose connection dropped", http.MethodPost, "/v3/routes", 0, true),
		Entry("a deployment create", http.MethodPost, "/v3/deployments", 503, true),
		Entry("a canary continue", http.MethodPost, "/v3/deployments/g/actions/continue", 502, true),
		Entry("a bits upload", http.MethodPost, "/v3/packages/g/upload", 502, true),
		Entry("a service binding create", http.MethodPost, "/v3/service_credential_bindings", 502, true),
		Entry("a 404", http.MethodGet, "/v3/apps/g", 404, false),
		Entry("a 422", http.MethodPatch, "/v3/apps/g", 422, false),
		Entry("a 401, which go-cfclient answers with a new token", http.MethodGet, "/v3/apps", 401, false),
		Entry("a 501: the server does not do it at all (Log Cache with PromQL off)", http.MethodGet, "/api/v1/query", 501, false),
	)

	It("sends any request again when the connection could not even be made", func() {
		dials := 0
		refused := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			dials++
			if dials < 3 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
			}
			return http.DefaultTransport.RoundTrip(r)
		})
		client.Transport = &retryTransport{base: refused, policy: fast}
		resp, err := send(http.MethodPost, "/v3/apps", `{"name":"x"}`)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.StatusCode).To(Equal(200))
		Expect(cc.count()).To(Equal(1), "CC saw the create once")
		Expect(cc.bodies).To(Equal([]string{`{"name":"x"}`}))
	})

	It("waits at least what a 429's Retry-After asks", func() {
		cc.script = []int{429}
		cc.headers = http.Header{"Retry-After": {"1"}}
		start := time.Now()
		_, err := send(http.MethodGet, "/v3/apps", "")
		Expect(err).NotTo(HaveOccurred())
		Expect(time.Since(start)).To(BeNumerically(">=", time.Second))
	})

	It("stops waiting when the caller's context ends", func() {
		cc.script = []int{502, 502, 502, 502}
		client.Transport = &retryTransport{base: http.DefaultTransport, policy: RetryPolicy{Attempts: 4, Base: time.Hour, Max: time.Hour}}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server.URL+"/v3/apps", nil)
		start := time.Now()
		_, err := client.Do(req)
		Expect(err).To(MatchError(context.DeadlineExceeded))
		Expect(IsTransient(err)).To(BeTrue(), "the failure that was being retried is kept")
		Expect(time.Since(start)).To(BeNumerically("<", time.Second))
		Expect(cc.count()).To(Equal(1))
	})

	It("does not retry a certificate it cannot trust", func() {
		tlsServer := httptest.NewUnstartedServer(cc)
		tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
		tlsServer.StartTLS()
		DeferCleanup(tlsServer.Close)
		tries := 0
		counting := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			tries++
			return http.DefaultTransport.RoundTrip(r)
		})
		client.Transport = &retryTransport{base: counting, policy: fast}
		_, err := client.Get(tlsServer.URL + "/v3/apps")
		Expect(err).To(MatchError(ContainSubstring("certificate")))
		Expect(IsTransient(err)).To(BeFalse())
		Expect(tries).To(Equal(1))
	})
})

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var _ = Describe("reconciling what cannot be repeated", func() {
	lost := &TransientError{Method: "POST", Path: "/v3/apps", Status: 502, Attempts: 1}
	refused := errors.New("CF-UnprocessableEntity: no")

	It("create: finds what a try whose answer was lost made, instead of making it again", func() {
		tries, looks := 0, 0
		got, err := create(context.Background(), fast, "create app", func() (string, error) {
			tries++
			return "", lost
		}, func() (string, bool, error) { looks++; return "app-1", true, nil })
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal("app-1"))
		Expect([]int{tries, looks}).To(Equal([]int{1, 1}))
	})

	It("create: tries again while nothing was made, up to the policy's tries", func() {
		tries := 0
		_, err := create(context.Background(), fast, "create app", func() (string, error) {
			tries++
			return "", lost
		}, func() (string, bool, error) { return "", false, nil })
		Expect(err).To(MatchError(ContainSubstring("create app: POST /v3/apps: the Cloud Controller answered 502")))
		Expect(tries).To(Equal(4))
	})

	It("create: passes a refusal on at once, without looking", func() {
		looks := 0
		_, err := create(context.Background(), fast, "create app", func() (string, error) { return "", refused },
			func() (string, bool, error) { looks++; return "", false, nil })
		Expect(err).To(MatchError(refused))
		Expect(looks).To(BeZero())
	})

	It("create: does not multiply the transport's tries", func() {
		tries := 0
		_, err := create(context.Background(), fast, "create app", func() (string, error) {
			tries++
			return "", &TransientError{Method: "POST", Path: "/v3/apps", Err: errors.New("refused"), Attempts: fast.Attempts}
		}, func() (string, bool, error) { return "", false, nil })
		Expect(IsTransient(err)).To(BeTrue())
		Expect(tries).To(Equal(1))
	})

	It("act: a refusal after the request took effect is success (CC refuses to cancel twice)", func() {
		err := act(context.Background(), fast, "cancel", func() error { return refused },
			func() (bool, error) { return true, nil })
		Expect(err).NotTo(HaveOccurred())
	})

	It("act: retries a transient failure that did not take effect, and passes a refusal on", func() {
		tries := 0
		err := act(context.Background(), fast, "continue", func() error {
			tries++
			if tries < 3 {
				return lost
			}
			return refused
		}, func() (bool, error) { return false, nil })
		Expect(err).To(MatchError(refused))
		Expect(tries).To(Equal(3))
	})
})
