package router_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// expectRouterError checks everything gorouter's plaintext error writer produces.
func expectRouterError(r reply, code int, routerError, cacheControl, body string) {
	GinkgoHelper()
	Expect(r.Code).To(Equal(code))
	Expect(r.Body).To(Equal(body))
	Expect(r.Header.Get("X-Cf-Routererror")).To(Equal(routerError))
	Expect(r.Header.Values("Cache-Control")).To(Equal(nonEmpty(cacheControl)))
	Expect(r.Header.Get("Content-Type")).To(Equal("text/plain; charset=utf-8"))
	Expect(r.Header.Get("X-Content-Type-Options")).To(Equal("nosniff"))
	Expect(r.Header).NotTo(HaveKey("X-Vcap-Request-Id"), "gorouter's own pages carry no request id")
}

func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

var _ = Describe("error pages", func() {
	var (
		f   *router.Fleet
		url string
		b   *backend
	)

	BeforeEach(func() {
		f = startFleet(router.Options{Routers: 1, ProcessInstanceHeader: true})
		url = f.RouterURLs()[0]
		b = newBackend("a")
		register(f, routeHost, b.endpoint(appGUID, processGUID, 0))
	})

	It("answers 404 unknown_route for a host with no pool, naming the Host header with its port", func() {
		expectRouterError(get(url, "nope.example.com:8080", "/"), 404, "unknown_route", "no-cache, no-store",
			"404 Not Found: Requested route ('nope.example.com:8080') does not exist.\n")
	})

	It("answers 404 once the last endpoint is unregistered (the pool is deleted, not left empty)", func() {
		f.Publish(router.Message{URI: routeHost, Endpoint: router.Endpoint{Address: b.addr()}})
		Eventually(func() map[string][]router.Endpoint { return f.Table(0) }).Should(BeEmpty())
		expectRouterError(get(url, routeHost, "/"), 404, "unknown_route", "no-cache, no-store",
			"404 Not Found: Requested route ('"+routeHost+"') does not exist.\n")
	})

	It("answers 400 empty_host when the Host header equals the client's IP", func() {
		expectRouterError(get(url, "127.0.0.1", "/"), 400, "empty_host", "public,max-age=2",
			"400 Bad Request: Request had empty Host header\n")
	})

	It("answers 400 empty_host to an HTTP/1.0 request without Host", func() {
		conn, err := net.DialTimeout("tcp", f.RouterURLs()[0][len("http://"):], time.Second)
		Expect(err).NotTo(HaveOccurred())
		defer conn.Close()
		Expect(conn.SetDeadline(time.Now().Add(2 * time.Second))).To(Succeed())
		_, err = io.WriteString(conn, "GET / HTTP/1.0\r\n\r\n")
		Expect(err).NotTo(HaveOccurred())
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		Expect(err).NotTo(HaveOccurred())
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		expectRouterError(reply{resp.StatusCode, resp.Header, string(body)}, 400, "empty_host", "public,max-age=2",
			"400 Bad Request: Request had empty Host header\n")
	})

	It("answers 400 invalid_cf_app_instance_header before the lookup, even for unknown hosts", func() {
		for _, host := range []string{routeHost, "nope.example.com"} {
			expectRouterError(get(url, host, "/", "X-CF-App-Instance: "+appGUID), 400,
				"invalid_cf_app_instance_header", "no-cache, no-store",
				"400 Bad Request: Invalid X-CF-App-Instance Header\n")
		}
	})

	It("answers 400 unknown_route for a well-formed app instance on an unknown route", func() {
		expectRouterError(get(url, "nope.example.com", "/", "X-CF-App-Instance: "+appGUID+":0"), 400,
			"unknown_route", "no-cache, no-store",
			"400 Bad Request: Requested instance ('0') with guid ('"+appGUID+
				"') does not exist for route ('nope.example.com')\n")
	})

	It("answers 400 invalid_cf_process_instance_header for a malformed process instance", func() {
		expectRouterError(get(url, routeHost, "/", "X-CF-Process-Instance: "+processGUID+":x"), 400,
			"invalid_cf_process_instance_header", "no-cache, no-store",
			"400 Bad Request: Invalid X-CF-Process-Instance Header\n")
	})

	It("answers 502 endpoint_failure with the transport error once every attempt failed", func() {
		dead := deadAddr()
		register(f, "dead.example.com", router.Endpoint{Address: dead, AppGUID: appGUID})
		r := get(url, "dead.example.com", "/")
		expectRouterError(r, 502, r.Header.Get("X-Cf-Routererror"), "",
			"502 Bad Gateway: Registered endpoint failed to handle the request.\n")
		Expect(r.Header.Get("X-Cf-Routererror")).To(
			Equal("endpoint_failure (dial tcp " + dead + ": connect: connection refused)"))
	})
})
