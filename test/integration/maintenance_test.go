package integration_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("out: maintenance mode", func() {
	var w *world
	maintenance := func(state string, extra map[string]any) map[string]any { return w.maintenance(state, extra) }
	BeforeEach(func() {
		w = newWorld()
		w.deploy("v1", nil)
		w.waitServing("v1")
	})

	It("switches on and off under load: every request gets the app or the responder's 503, never 404 or 502", func() {
		l := w.startLoad()
		r := w.out(maintenance("on", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		versions := l.expectNoFailures()
		Expect(versions).To(HaveKey("maintenance (503)"))
		Expect(w.serves(20)).To(Equal(map[string]int{"503 maintenance": 20}))
		md := metadataOf(r.stdout)
		Expect(md).To(HaveKeyWithValue("maintenance", "on"))
		Expect(md).To(HaveKeyWithValue("routes_moved", w.host()))
		Expect(md).To(HaveKey("switch_duration"))
		Expect(w.inMaintenance()).To(Equal("on"))

		l = w.startLoad()
		r = w.out(maintenance("off", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		l.expectNoFailures()
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
		Expect(w.inMaintenance()).To(Equal("off"))
		Expect(w.apps()).To(Equal([]string{"myapp:STARTED"}), "the responder goes once it serves nothing")
	})

	It("shares one responder per space when asked", func() {
		l := w.startLoad()
		Expect(w.out(maintenance("on", map[string]any{"responder": "space"})).code).To(Equal(0))
		Expect(w.apps()).To(ContainElement("maintenance-responder:STARTED"))
		Expect(w.out(maintenance("off", map[string]any{"responder": "space"})).code).To(Equal(0))
		l.expectNoFailures()
		Expect(w.apps()).To(Equal([]string{"myapp:STARTED"}))
	})

	It("answers by content negotiation: HTML for browsers, JSON for API clients, text otherwise, with Retry-After", func() {
		Expect(w.out(maintenance("on", nil)).code).To(Equal(0))
		html := w.ask("text/html,application/xhtml+xml;q=0.9")
		Expect(html.status).To(Equal(503))
		Expect(html.header.Get("Content-Type")).To(HavePrefix("text/html"))
		Expect(html.body).To(ContainSubstring("Back soon"))
		Expect(html.header.Get("Retry-After")).To(Equal("120"))
		api := w.ask("application/json")
		var body map[string]any
		Expect(json.Unmarshal([]byte(api.body), &body)).To(Succeed())
		Expect(body).To(Equal(map[string]any{"status": 503.0, "message": "Back soon", "retry_after": 120.0}))
		Expect(w.ask("").body).To(Equal("503 Service Unavailable: Back soon\n"))
	})

	It("changes nothing when switched to the state it is already in", func() {
		Expect(w.out(maintenance("on", nil)).code).To(Equal(0))
		w.sim.ResetRequests()
		r := w.out(maintenance("on", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stderr).To(ContainSubstring("already in maintenance"))
		Expect(w.out(maintenance("off", nil)).code).To(Equal(0))
		w.sim.ResetRequests()
		r = w.out(maintenance("off", nil))
		Expect(r.code).To(Equal(0), r.stderr)
		for _, req := range w.sim.Requests() {
			Expect(req.Mutating()).To(BeFalse(), "%s %s", req.Method, req.Path)
		}
	})

	It("stops the app during maintenance when asked, and starts it again after", func() {
		l := w.startLoad()
		Expect(w.out(maintenance("on", map[string]any{"stop_app": true})).code).To(Equal(0))
		Expect(w.apps()).To(ContainElement("myapp:STOPPED"))
		Expect(w.out(maintenance("off", nil)).code).To(Equal(0))
		l.expectNoFailures()
		Expect(w.apps()).To(ContainElement("myapp:STARTED"))
		Expect(w.serves(20)).To(Equal(map[string]int{"200 v1": 20}))
	})
})

// ask sends GET / with an Accept header through the load balancer.
func (w *world) ask(accept string) reply {
	req, err := http.NewRequest(http.MethodGet, w.info.LBURL+"/", nil)
	Expect(err).NotTo(HaveOccurred())
	req.Host = w.host()
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := httpc.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b := new(strings.Builder)
	_, err = io.Copy(b, resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return reply{status: resp.StatusCode, body: b.String(), header: resp.Header}
}

// inMaintenance is what a get says of the current release.
func (w *world) inMaintenance() string {
	dir := GinkgoT().TempDir()
	r := w.in(dir, w.check(nil)[0], nil)
	Expect(r.code).To(Equal(0), r.stderr)
	return w.readFile(dir, "maintenance")
}
