package router_test

import (
	"regexp"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// accessLogs collects what Options.AccessLog receives.
type accessLogs struct {
	mu   sync.Mutex
	recs []router.AccessLogRecord
}

func (l *accessLogs) add(r router.AccessLogRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r)
}

func (l *accessLogs) all() []router.AccessLogRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]router.AccessLogRecord(nil), l.recs...)
}

var _ = Describe("access log", func() {
	var (
		logs *accessLogs
		f    *router.Fleet
	)
	BeforeEach(func() {
		logs = &accessLogs{}
		f = startFleet(router.Options{Routers: 1, AccessLog: logs.add})
	})

	It("hands over gorouter's access line for a proxied request, with the endpoint it went to", func() {
		b := newBackend("a")
		ep := b.endpoint(appGUID, processGUID, 2)
		register(f, routeHost, ep)
		r := do("POST", f.RouterURLs()[0], routeHost, "/p?x=1", "hello", "User-Agent: ua/1")
		Expect(r.Code).To(Equal(200))
		// The hook runs once the answer is written, so it may come just after the client has it.
		Eventually(logs.all).Should(HaveLen(1))
		rec := logs.all()[0]
		Expect(rec.Router).To(Equal(0))
		Expect(rec.Endpoint).To(Equal(ep))
		Expect(rec.Line).To(MatchRegexp(`^app\.apps\.example\.com - \[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z\] ` +
			`"POST /p\?x=1 HTTP/1\.1" 200 5 1 "-" "ua/1" "127\.0\.0\.1:\d+" "` + regexp.QuoteMeta(b.addr()) + `" ` +
			`x_forwarded_for:"127\.0\.0\.1" x_forwarded_proto:"http" vcap_request_id:"` +
			regexp.QuoteMeta(r.Header.Get("X-Vcap-Request-Id")) + `" response_time:\d+\.\d{6} gorouter_time:\d+\.\d{6} ` +
			`app_id:"` + appGUID + `" app_index:"2" instance_id:"inst-a" route_service_url:"-" x_cf_routererror:"-"$`))
	})

	It("hands over what gorouter's HttpStartStop event carries: method, uri, request id, status, size and the proxy time", func() {
		b := newBackend("a")
		register(f, routeHost, b.endpoint(appGUID, processGUID, 0))
		before := time.Now()
		r := do("POST", f.RouterURLs()[0], routeHost, "/p?x=1", "hello", "User-Agent: ua/1")
		after := time.Now()
		Expect(r.Code).To(Equal(200))
		Eventually(logs.all).Should(HaveLen(1))
		rec := logs.all()[0]
		Expect(rec.Method).To(Equal("POST"))
		Expect(rec.URI).To(Equal("http://" + routeHost + "/p"))
		Expect(rec.RequestID).To(Equal(r.Header.Get("X-Vcap-Request-Id")))
		Expect(rec.UserAgent).To(Equal("ua/1"))
		Expect(rec.RemoteAddr).To(HavePrefix("127.0.0.1:"))
		Expect(rec.Forwarded).To(Equal("127.0.0.1"))
		Expect(rec.Status).To(Equal(200))
		Expect(rec.ContentLength).To(Equal(1))
		Expect(rec.Started).To(BeTemporally(">=", before))
		Expect(rec.Finished).To(BeTemporally(">", rec.Started))
		Expect(rec.Finished).To(BeTemporally("<=", after.Add(time.Second)))
	})

	It("logs a request that found no live endpoint with its 502 and router error", func() {
		ep := router.Endpoint{Address: deadAddr(), AppGUID: appGUID, ProcessGUID: processGUID, InstanceGUID: "dead"}
		register(f, routeHost, ep)
		Expect(get(f.RouterURLs()[0], routeHost, "/").Code).To(Equal(502))
		Eventually(logs.all).Should(ConsistOf(HaveField("Line",
			MatchRegexp(`"GET / HTTP/1\.1" 502 0 \d+ .* gorouter_time:"-" .* x_cf_routererror:"endpoint_failure \(dial tcp .*\)"$`))))
	})

	It("logs nothing for a request no app received", func() {
		Expect(get(f.RouterURLs()[0], "nowhere.example.com", "/").Code).To(Equal(404))
		Consistently(logs.all).WithTimeout(100 * time.Millisecond).Should(BeEmpty())
	})
})
