package cfsim_test

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("Log Cache's http timers", func() {
	var f *foundation
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 2, StagingTime: 50 * time.Millisecond}) })
	AfterEach(func() { f.close() })

	It("holds a TIMER named http for each request a router proxied, timed by the router, with gorouter's tags", func() {
		app, _ := f.push(pushOpts{name: "timed", version: "v1"})
		f.waitRunning(app.GUID, 1)
		f.reachable("timed")
		before := time.Now()
		r := get(f.info.LBURL, f.host("timed"), "/some/path?q=1&status=503&delay=150ms", "User-Agent", "spec-agent/1.0")
		after := time.Now()
		Expect(r.status).To(Equal(http.StatusServiceUnavailable))
		requestID := r.header.Get("X-Vcap-Request-Id")
		f.awaitTimer(app.GUID, requestID)

		status, body := f.logCacheGet("/api/v1/read/"+app.GUID, url.Values{"envelope_types": {"TIMER"}, "limit": {"1000"}})
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(MatchRegexp(`"timer":\{"name":"http","start":"\d{19}","stop":"\d{19}"\}`))
		timer := f.timerOf(app.GUID, requestID)
		Expect(timer.Log).To(BeNil())
		Expect(timer.SourceID).To(Equal(app.GUID))
		Expect(timer.InstanceID).To(Equal("0"))
		start, stop := nanos(timer.Timer.Start), nanos(timer.Timer.Stop)
		Expect(stop - start).To(BeNumerically(">=", 150*time.Millisecond))
		Expect(time.Unix(0, start)).To(BeTemporally(">=", before))
		// The router stops the clock once it has written the answer, which the client may read first.
		Expect(time.Unix(0, stop)).To(BeTemporally("<=", after.Add(time.Second)))
		Expect(nanos(timer.Timestamp)).To(BeNumerically(">=", stop), "gorouter emits the event once the request is done")
		Expect(time.Unix(0, nanos(timer.Timestamp))).To(BeTemporally("<=", after.Add(time.Second)))
		Expect(timer.Tags).To(MatchKeys(IgnoreExtras, Keys{
			"status_code": Equal("503"), "method": Equal("GET"), "uri": Equal("http://timed.apps.cfsim.test/some/path"),
			"request_id": Equal(requestID), "peer_type": Equal("Server"), "user_agent": Equal("spec-agent/1.0"),
			"remote_address": HavePrefix("127.0.0.1:"), "content_length": Equal("10"),
			"process_id": Equal(r.header.Get("X-Process-Guid")), "process_type": Equal("web"),
			"process_instance_id": Equal(r.header.Get("X-Instance-Guid")), "instance_id": Equal("0"),
			"app_id": Equal(app.GUID), "app_name": Equal("timed"), "source_id": Equal(app.GUID),
			"space_name": Equal(f.info.Space), "organization_name": Equal(f.info.Org),
			"space_id": Equal(f.SpaceGUID), "organization_id": Not(BeEmpty()),
		}))
		Expect(timer.Tags).NotTo(HaveKey("source_type"))
	})

	It("leaves LOG reads, cf logs --recent and sim.RecentLogs to log lines", func() {
		app, _ := f.push(pushOpts{name: "mixed", version: "v1"})
		f.waitRunning(app.GUID, 1)
		f.reachable("mixed")
		for _, e := range f.readLogs(app.GUID, url.Values{"envelope_types": {"LOG"}, "limit": {"1000"}}) {
			Expect(e.Timer).To(BeNil())
		}
		Expect(containing(f.recentLines(app.GUID), "[RTR/")).NotTo(BeEmpty())
		for _, l := range f.sim.RecentLogs(app.GUID) {
			Expect(l.Source).NotTo(BeEmpty())
		}
		all := f.readLogs(app.GUID, url.Values{"limit": {"1000"}})
		timers := 0
		for _, e := range all {
			if e.Timer != nil {
				timers++
			}
		}
		Expect(timers).To(BeNumerically(">=", 1), "no envelope_types reads every kind")
	})
})

// reachable waits until the app's route answers through the load balancer, and until Log Cache
// holds the timer of that first answered request.
func (f *foundation) reachable(app string) {
	var r reply
	Eventually(func() int {
		r = get(f.info.LBURL, f.host(app), "/")
		return r.status
	}, 10*time.Second, 50*time.Millisecond).Should(Equal(http.StatusOK))
	f.awaitTimer(f.appNamed(app).GUID, r.header.Get("X-Vcap-Request-Id"))
}

// timerOf is the app's http timer of the request with that X-Vcap-Request-Id.
func (f *foundation) timerOf(appGUID, requestID string) envelope {
	for _, e := range f.readLogs(appGUID, url.Values{"envelope_types": {"TIMER"}, "limit": {"1000"}}) {
		if e.Tags["request_id"] == requestID {
			return e
		}
	}
	Fail("no timer for request " + requestID)
	return envelope{}
}

func nanos(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	Expect(err).NotTo(HaveOccurred())
	return n
}
