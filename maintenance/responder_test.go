package maintenance_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/maintenance"
)

var _ = Describe("the maintenance responder", func() {
	serve := func(c maintenance.Config, method, path, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		maintenance.Handler(c).ServeHTTP(rec, req)
		return rec
	}

	It("answers every path and method with 503, Retry-After and no caching", func() {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			for _, p := range []string{"/", "/api/orders/7", "/favicon.ico"} {
				rec := serve(maintenance.Config{}, m, p, "")
				Expect(rec.Code).To(Equal(503))
				Expect(rec.Header().Get("Retry-After")).To(Equal("300"))
				Expect(rec.Header().Get("Cache-Control")).To(Equal("no-store"))
				Expect(rec.Header().Get("X-Maintenance")).To(Equal("on"))
			}
		}
	})

	It("answers the health path with 200, so the platform keeps it running", func() {
		Expect(serve(maintenance.Config{}, http.MethodGet, maintenance.HealthPath, "").Code).To(Equal(200))
	})

	DescribeTable("chooses the body by content negotiation",
		func(accept, wantType string) {
			Expect(serve(maintenance.Config{}, http.MethodGet, "/", accept).Header().Get("Content-Type")).To(HavePrefix(wantType))
		},
		Entry("a browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
		Entry("an API client", "application/json", "application/json"),
		Entry("JSON preferred by q value", "text/html;q=0.5, application/json", "application/json"),
		Entry("HTML preferred by q value", "application/json;q=0.2, text/html", "text/html"),
		Entry("no Accept header", "", "text/plain"),
		Entry("anything", "*/*", "text/plain"),
		Entry("an unknown type", "image/png", "text/plain"),
		Entry("JSON refused with q=0", "application/json;q=0, text/plain", "text/plain"),
	)

	It("writes JSON with status, message and retry_after, from the configuration", func() {
		rec := serve(maintenance.Config{Status: 503, RetryAfter: 120, Message: "Back at noon"}, http.MethodGet, "/", "application/json")
		var body map[string]any
		Expect(json.Unmarshal(rec.Body.Bytes(), &body)).To(Succeed())
		Expect(body).To(Equal(map[string]any{"status": 503.0, "message": "Back at noon", "retry_after": 120.0}))
		Expect(rec.Header().Get("Retry-After")).To(Equal("120"))
	})

	It("escapes the message in the HTML page and serves a page file instead when given", func() {
		rec := serve(maintenance.Config{Message: "<b>down</b>"}, http.MethodGet, "/", "text/html")
		Expect(rec.Body.String()).To(ContainSubstring("&lt;b&gt;down&lt;/b&gt;"))
		rec = serve(maintenance.Config{Page: []byte("<p>custom</p>")}, http.MethodGet, "/", "text/html")
		Expect(rec.Body.String()).To(Equal("<p>custom</p>"))
	})

	It("sends no body to HEAD", func() {
		Expect(serve(maintenance.Config{}, http.MethodHead, "/", "").Body.Len()).To(BeZero())
	})

	Describe("configuration from the environment", func() {
		env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

		It("reads status, Retry-After, message and files relative to the app folder", func() {
			dir := GinkgoT().TempDir()
			Expect(os.WriteFile(filepath.Join(dir, "page.html"), []byte("<p>x</p>"), 0o644)).To(Succeed())
			c, err := maintenance.FromEnv(env(map[string]string{maintenance.EnvStatus: "502", maintenance.EnvRetryAfter: "60",
				maintenance.EnvMessage: "m", maintenance.EnvPageFile: "page.html"}), dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(c).To(Equal(maintenance.Config{Status: 502, RetryAfter: 60, Message: "m", Page: []byte("<p>x</p>")}))
		})

		DescribeTable("refuses bad values, naming the variable",
			func(vars map[string]string, want string) {
				_, err := maintenance.FromEnv(env(vars), GinkgoT().TempDir())
				Expect(err).To(MatchError(ContainSubstring(want)))
			},
			Entry("a status that is not a number", map[string]string{maintenance.EnvStatus: "soon"}, maintenance.EnvStatus),
			Entry("a status that is not HTTP", map[string]string{maintenance.EnvStatus: "999"}, maintenance.EnvStatus),
			Entry("a negative Retry-After", map[string]string{maintenance.EnvRetryAfter: "-1"}, maintenance.EnvRetryAfter),
			Entry("a missing page file", map[string]string{maintenance.EnvPageFile: "nope.html"}, maintenance.EnvPageFile),
		)
	})
})
