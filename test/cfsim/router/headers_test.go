package router_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

const uuidPattern = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`

var _ = Describe("headers", func() {
	var (
		f   *router.Fleet
		url string
		b   *backend
	)

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 1})
		url = f.RouterURLs()[0]
		b = newBackend("a")
		register(f, routeHost, b.endpoint(appGUID, processGUID, 2))
	})

	It("forwards method, Host, path, query and body, and adds the instance headers", func() {
		r := do("PUT", url, routeHost, "/some/path?x=1&y=2", "payload", "X-Custom: kept")
		Expect(r.Code).To(Equal(200))
		got := b.lastSeen()
		Expect(got.Host).To(Equal(routeHost))
		Expect(got.URI).To(Equal("/some/path?x=1&y=2"))
		Expect(got.Body).To(Equal("payload"))
		Expect(got.Header.Get("X-Custom")).To(Equal("kept"))
		Expect(got.Header.Get("X-CF-ApplicationID")).To(Equal(appGUID))
		Expect(got.Header.Get("X-CF-InstanceIndex")).To(Equal("2"))
		Expect(got.Header.Get("X-CF-InstanceID")).To(Equal("inst-a"))
		Expect(r.Header.Get("Echo-X-Cf-Applicationid")).To(Equal(appGUID))
	})

	It("uses host:port as X-CF-InstanceID when the endpoint has no instance id", func() {
		register(f, "bare.example.com", router.Endpoint{Address: b.addr(), AppGUID: appGUID})
		Expect(get(url, "bare.example.com", "/").Header.Get("Echo-X-Cf-Instanceid")).To(Equal(b.addr()))
	})

	It("adds X-Request-Start only when absent", func() {
		before := time.Now().UnixMilli()
		get(url, routeHost, "/")
		start, err := strconv.ParseInt(b.lastSeen().Header.Get("X-Request-Start"), 10, 64)
		Expect(err).NotTo(HaveOccurred())
		Expect(start).To(BeNumerically("~", before, 1000))
		get(url, routeHost, "/", "X-Request-Start: 12345")
		Expect(b.lastSeen().Header.Get("X-Request-Start")).To(Equal("12345"))
	})

	It("always replaces X-Vcap-Request-Id and returns it unless the backend set one", func() {
		r := get(url, routeHost, "/", "X-Vcap-Request-Id: from-client")
		sent := b.lastSeen().Header.Get("X-Vcap-Request-Id")
		Expect(sent).To(MatchRegexp(uuidPattern))
		Expect(r.Header.Values("X-Vcap-Request-Id")).To(Equal([]string{sent}))
		Expect(get(url, routeHost, "/").Header.Get("X-Vcap-Request-Id")).NotTo(Equal(sent))
	})

	It("keeps a request id the backend set itself", func() {
		own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Vcap-Request-Id", "backend-id")
		}))
		DeferCleanup(own.Close)
		register(f, "own.example.com", router.Endpoint{Address: own.Listener.Addr().String()})
		Expect(get(url, "own.example.com", "/").Header.Values("X-Vcap-Request-Id")).To(Equal([]string{"backend-id"}))
	})

	It("appends the client to X-Forwarded-For and keeps or sets X-Forwarded-Proto", func() {
		get(url, routeHost, "/", "X-Forwarded-For: 10.1.2.3")
		Expect(b.lastSeen().Header.Get("X-Forwarded-For")).To(Equal("10.1.2.3, 127.0.0.1"))
		Expect(b.lastSeen().Header.Get("X-Forwarded-Proto")).To(Equal("http"))
		get(url, routeHost, "/", "X-Forwarded-Proto: https")
		Expect(b.lastSeen().Header.Get("X-Forwarded-For")).To(Equal("127.0.0.1"))
		Expect(b.lastSeen().Header.Get("X-Forwarded-Proto")).To(Equal("https"))
	})

	It("adds the trace headers only for X-Vcap-Trace: 22", func() {
		r := get(url, routeHost, "/", "X-Vcap-Trace: 22")
		Expect(r.Header.Get("X-Vcap-Router")).To(Equal("127.0.0.1"))
		Expect(r.Header.Get("X-Vcap-Backend")).To(Equal(b.addr()))
		Expect(r.Header.Get("X-Cf-Routeendpoint")).To(Equal(b.addr()))
		for _, r := range []reply{get(url, routeHost, "/"), get(url, routeHost, "/", "X-Vcap-Trace: 21")} {
			Expect(r.Header).NotTo(HaveKey("X-Vcap-Router"))
			Expect(r.Header).NotTo(HaveKey("X-Vcap-Backend"))
			Expect(r.Header).NotTo(HaveKey("X-Cf-Routeendpoint"))
		}
	})

	It("streams the response instead of buffering it", func() {
		release := make(chan struct{})
		stream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "first")
			_ = http.NewResponseController(w).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
			_, _ = io.WriteString(w, "second")
		}))
		DeferCleanup(stream.Close)
		register(f, "stream.example.com", router.Endpoint{Address: stream.Listener.Addr().String()})
		req, err := http.NewRequest(http.MethodGet, url+"/", nil)
		Expect(err).NotTo(HaveOccurred())
		req.Host = "stream.example.com"
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		first := make(chan string, 1)
		go func() {
			buf := make([]byte, len("first"))
			_, _ = io.ReadFull(resp.Body, buf)
			first <- string(buf)
		}()
		// The first chunk must arrive while the backend still holds back the rest.
		Eventually(first).WithTimeout(time.Second).Should(Receive(Equal("first")))
		close(release)
		rest, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(rest)).To(Equal("second"))
	})
})
