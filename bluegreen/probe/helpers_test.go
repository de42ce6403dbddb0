package probe_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

const (
	appA     = "6a2f0c1e-1c1b-4a47-9a5e-0d6f3c2a1b10" // the old app (blue)
	appB     = "0b9d7c2e-3f4a-4b5c-8d6e-7f8091a2b3c4" // the new app (green)
	appC     = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f" // never registered
	process1 = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a" // the old web process of a deployment
	process2 = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" // the new one, same app guid
	host     = "app.apps.example.com"
)

// newClient never uses a proxy from the environment: all traffic is loopback.
func newClient() *http.Client { return &http.Client{Transport: &http.Transport{}} }

func newProber(bases ...string) *probe.Prober {
	return &probe.Prober{Bases: bases, Client: newClient(), Log: func(format string, args ...any) {
		GinkgoWriter.Printf(format+"\n", args...)
	}}
}

// within is a context for one call that must end in time.
func within(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	DeferCleanup(cancel)
	return ctx
}

// instance is one app instance: an httptest server that answers with its name and the extra
// response headers it was given, and records what it received.
type instance struct {
	name      string
	srv       *httptest.Server
	headers   []string // "Name: value"
	status    atomic.Int32
	failFirst atomic.Int32 // the first N requests get 500
	mu        sync.Mutex
	paths     []string
	received  []http.Header
}

func newInstance(name string, headers ...string) *instance {
	in := &instance{name: name, headers: headers}
	in.status.Store(http.StatusOK)
	in.srv = httptest.NewServer(http.HandlerFunc(in.serve))
	DeferCleanup(in.srv.Close)
	return in
}

func (in *instance) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	in.mu.Lock()
	in.paths = append(in.paths, r.URL.RequestURI())
	in.received = append(in.received, r.Header.Clone())
	in.mu.Unlock()
	for _, h := range in.headers {
		name, value, _ := strings.Cut(h, ": ")
		w.Header().Add(name, value)
	}
	status := int(in.status.Load())
	if in.failFirst.Add(-1) >= 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "hello from "+in.name)
}

func (in *instance) hits() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.paths)
}

func (in *instance) lastRequest() (string, http.Header) {
	in.mu.Lock()
	defer in.mu.Unlock()
	Expect(in.paths).NotTo(BeEmpty(), "instance %s got no request", in.name)
	return in.paths[len(in.paths)-1], in.received[len(in.received)-1]
}

// group is the instances of one app or process, indexed 0..n-1.
type group struct {
	app, process string
	instances    []*instance
}

func newGroup(app, process string, n int, headers ...string) group {
	g := group{app: app, process: process}
	for i := range n {
		g.instances = append(g.instances, newInstance(fmt.Sprintf("%.8s-%.8s-%d", app, process, i), headers...))
	}
	return g
}

func (g group) endpoints() []router.Endpoint {
	eps := make([]router.Endpoint, len(g.instances))
	for i, in := range g.instances {
		eps[i] = router.Endpoint{Address: in.srv.Listener.Addr().String(), AppGUID: g.app,
			ProcessGUID: g.process, Index: i, InstanceGUID: "instance-" + in.name}
	}
	return eps
}

// publisher is anything routes are published to: one fleet, or several single-router fleets.
type publisher interface{ Publish(router.Message) }

func register(p publisher, uri string, eps ...router.Endpoint) { publish(p, true, uri, eps) }

func unregister(p publisher, uri string, eps ...router.Endpoint) { publish(p, false, uri, eps) }

func publish(p publisher, reg bool, uri string, eps []router.Endpoint) {
	for _, e := range eps {
		p.Publish(router.Message{Register: reg, URI: uri, Endpoint: e})
	}
}

func startFleet(opts router.Options) *router.Fleet {
	f, err := router.Start(opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(f.Close)
	return f
}

// fleets are single-router fleets used as one fleet whose routers have the given lags for every
// kind of message (LagMin alone sets both kinds), so removal lags are known without depending on
// any per-kind knob.
type fleets []*router.Fleet

func startFleets(lags ...time.Duration) fleets {
	var fs fleets
	for _, lag := range lags {
		fs = append(fs, startFleet(router.Options{Routers: 1, LagMin: lag}))
	}
	return fs
}

func (fs fleets) Publish(m router.Message) {
	for _, f := range fs {
		f.Publish(m)
	}
}

func (fs fleets) urls() []string {
	var urls []string
	for _, f := range fs {
		urls = append(urls, f.RouterURLs()...)
	}
	return urls
}

// answer is what one router says, directly, to a request with one header.
func answer(base, path, header, value string) (int, string) {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Host = host
	req.Header.Set(header, value)
	resp, err := newClient().Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Cf-Routererror")
}

// fakeRouter stands in for a router where a spec needs to see connections or request counts: it
// answers like a proxied app (with X-Vcap-Request-Id) and counts new connections.
type fakeRouter struct {
	srv      *httptest.Server
	conns    atomic.Int32
	requests atomic.Int32
}

func newFakeRouter() *fakeRouter {
	f := &fakeRouter{}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.requests.Add(1)
		w.Header().Set("X-Vcap-Request-Id", "0f0e0d0c-0000-4000-8000-000000000001")
		_, _ = io.WriteString(w, "ok")
	}))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	DeferCleanup(f.srv.Close)
	return f
}

func slowest(lags []time.Duration) time.Duration { return slices.Max(lags) }

// deadURL is a loopback URL nothing listens on, so connecting is refused.
func deadURL() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	return url
}
