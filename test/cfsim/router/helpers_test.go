package router_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

const (
	appGUID      = "6a2f0c1e-1c1b-4a47-9a5e-0d6f3c2a1b10"
	otherAppGUID = "0b9d7c2e-3f4a-4b5c-8d6e-7f8091a2b3c4"
	processGUID  = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"
	otherProcess = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	routeHost    = "app.apps.example.com"
)

// seen is what a backend received, so specs can check what the router forwarded.
type seen struct {
	Host   string
	URI    string
	Header http.Header
	Body   string
}

// backend is an httptest server on 127.0.0.1 that answers with its name and echoes the
// X-CF-* headers it received as Echo-* response headers.
type backend struct {
	name string
	srv  *httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	last seen
}

func newBackend(name string) *backend {
	b := &backend{name: name}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	DeferCleanup(b.srv.Close)
	return b
}

func (b *backend) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.hits.Add(1)
	b.mu.Lock()
	b.last = seen{Host: r.Host, URI: r.RequestURI, Header: r.Header.Clone(), Body: string(body)}
	b.mu.Unlock()
	for _, h := range []string{"X-Cf-Applicationid", "X-Cf-Instanceindex", "X-Cf-Instanceid"} {
		w.Header().Set("Echo-"+h, r.Header.Get(h))
	}
	w.Header().Set("X-Backend", b.name)
	_, _ = io.WriteString(w, b.name)
}

func (b *backend) addr() string { return b.srv.Listener.Addr().String() }

func (b *backend) lastSeen() seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func (b *backend) endpoint(app, process string, index int) router.Endpoint {
	return router.Endpoint{
		Address:      b.addr(),
		AppGUID:      app,
		ProcessGUID:  process,
		Index:        index,
		InstanceGUID: "inst-" + b.name,
	}
}

// deadAddr is a loopback address nothing listens on, so dialling it is refused.
func deadAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	Expect(ln.Close()).To(Succeed())
	return addr
}

func startFleet(opts router.Options) *router.Fleet {
	f, err := router.Start(opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(f.Close)
	return f
}

// register publishes the endpoints for uri and waits until every router has applied them.
func register(f *router.Fleet, uri string, eps ...router.Endpoint) {
	for _, e := range eps {
		f.Publish(router.Message{Register: true, URI: uri, Endpoint: e})
	}
	for i := range f.RouterURLs() {
		Eventually(func() []router.Endpoint { return f.Table(i)[uri] }).
			WithTimeout(2 * time.Second).WithPolling(5 * time.Millisecond).
			Should(HaveLen(len(eps)))
	}
}

var client = &http.Client{
	Transport: &http.Transport{}, // no proxy from the environment
	Timeout:   5 * time.Second,
}

type reply struct {
	Code   int
	Header http.Header
	Body   string
}

// get sends a request to base with the given Host and extra headers ("Name: value").
func get(base, host, path string, headers ...string) reply {
	return do(http.MethodGet, base, host, path, "", headers...)
}

func do(method, base, host, path, body string, headers ...string) reply {
	GinkgoHelper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Host = host
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ": ")
		Expect(ok).To(BeTrue(), "header %q needs the form 'Name: value'", h)
		req.Header.Add(name, value)
	}
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return reply{Code: resp.StatusCode, Header: resp.Header, Body: string(data)}
}
