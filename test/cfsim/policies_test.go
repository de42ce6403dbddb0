package cfsim_test

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("network policies (the policy server's external API)", func() {
	var f *foundation
	var src, dst string
	ctx := context.Background()
	BeforeEach(func() {
		f = startFoundation(cfsim.Config{Routers: 1, PolicyCleanup: time.Hour})
		for i, name := range []string{"frontend", "backend"} {
			app, err := f.cf.Applications.Create(ctx, resource.NewAppCreate(name, f.SpaceGUID))
			Expect(err).NotTo(HaveOccurred())
			if i == 0 {
				src = app.GUID
			} else {
				dst = app.GUID
			}
		}
	})
	AfterEach(func() { f.close() })

	policy := func(from, to, proto string, start, end int) string {
		return `{"source":{"id":"` + from + `"},"destination":{"id":"` + to + `","protocol":"` + proto +
			`","ports":{"start":` + itoa(start) + `,"end":` + itoa(end) + `}}}`
	}

	It("creates policies idempotently, lists them by id, source and destination, and deletes them", func() {
		body := `{"policies":[` + policy(src, dst, "tcp", 8080, 8080) + `]}`
		for range 2 {
			status, answer := f.raw(http.MethodPost, "/networking/v1/external/policies", "application/json", body)
			Expect(status).To(Equal(200))
			Expect(answer).To(Equal("{}"))
		}
		status, _ := f.raw(http.MethodPost, "/networking/v1/external/policies", "application/json",
			`{"policies":[`+policy(dst, dst, "udp", 9000, 9010)+`]}`)
		Expect(status).To(Equal(200))

		status, list := f.raw(http.MethodGet, "/networking/v1/external/policies?id="+src, "", "")
		Expect(status).To(Equal(200))
		Expect(list).To(MatchJSON(`{"total_policies":1,"policies":[` + policy(src, dst, "tcp", 8080, 8080) + `]}`))
		_, list = f.raw(http.MethodGet, "/networking/v1/external/policies?id="+dst, "", "")
		Expect(list).To(ContainSubstring(`"total_policies":2`))
		_, list = f.raw(http.MethodGet, "/networking/v1/external/policies?source_id="+dst+"&dest_id="+dst, "", "")
		Expect(list).To(MatchJSON(`{"total_policies":1,"policies":[` + policy(dst, dst, "udp", 9000, 9010) + `]}`))

		for range 2 { // deleting what is gone is a no-op
			status, answer := f.raw(http.MethodPost, "/networking/v1/external/policies/delete", "application/json", body)
			Expect(status).To(Equal(200))
			Expect(answer).To(Equal("{}"))
		}
		_, list = f.raw(http.MethodGet, "/networking/v1/external/policies?id="+src, "", "")
		Expect(list).To(MatchJSON(`{"total_policies":0,"policies":[]}`))
	})

	It("refuses invalid policies and missing tokens with the policy server's errors", func() {
		for body, want := range map[string]string{
			`{"policies":[]}`: "mapper: validate policies: missing policies",
			`{"policies":[` + policy("", dst, "tcp", 8080, 8080) + `]}`:                                                                                 "mapper: validate policies: missing source id",
			`{"policies":[` + policy(src, dst, "icmp", 8080, 8080) + `]}`:                                                                               "mapper: validate policies: invalid destination protocol, specify either udp or tcp",
			`{"policies":[` + policy(src, dst, "tcp", 9000, 8000) + `]}`:                                                                                "mapper: validate policies: invalid port range 9000-8000, start must be less than or equal to end",
			`{"policies":[` + policy(src, dst, "tcp", 0, 0) + `]}`:                                                                                      "mapper: validate policies: missing start port",
			`{"policies":[` + policy(src, dst, "tcp", 1, 70000) + `]}`:                                                                                  "mapper: validate policies: invalid end port 70000, must be in range 1-65535",
			`{"policies":[{"source":{"id":"` + src + `","tag":"01"},"destination":{"id":"` + dst + `","protocol":"tcp","ports":{"start":1,"end":1}}}]}`: "mapper: validate policies: tags may not be specified",
		} {
			status, answer := f.raw(http.MethodPost, "/networking/v1/external/policies", "application/json", body)
			Expect(status).To(Equal(400), body)
			Expect(answer).To(MatchJSON(`{"error":"` + want + `"}`))
		}
		status, answer := f.raw(http.MethodPost, "/networking/v1/external/policies", "application/json", "not json")
		Expect(status).To(Equal(400))
		Expect(answer).To(ContainSubstring(`"mapper: unmarshal json: `))

		req, err := http.NewRequest(http.MethodGet, f.info.APIURL+"/networking/v1/external/policies", nil)
		Expect(err).NotTo(HaveOccurred())
		resp, err := plain.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(401))
		Expect(readAll(resp)).To(MatchJSON(`{"error":"missing authorization header"}`))
	})

	It("keeps a deleted app's policies until the policy server's cleanup removes them", func() {
		body := `{"policies":[` + policy(src, dst, "tcp", 8080, 8080) + `]}`
		status, _ := f.raw(http.MethodPost, "/networking/v1/external/policies", "application/json", body)
		Expect(status).To(Equal(200))
		job, err := f.cf.Applications.Delete(ctx, dst)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
		_, list := f.raw(http.MethodGet, "/networking/v1/external/policies", "", "")
		Expect(list).To(ContainSubstring(`"total_policies":1`))

		status, removed := f.raw(http.MethodPost, "/networking/v1/external/policies/cleanup", "application/json", "")
		Expect(status).To(Equal(200))
		Expect(removed).To(MatchJSON(`{"total_policies":1,"policies":[` + policy(src, dst, "tcp", 8080, 8080) + `]}`))
		_, list = f.raw(http.MethodGet, "/networking/v1/external/policies", "", "")
		Expect(list).To(MatchJSON(`{"total_policies":0,"policies":[]}`))
	})

	It("removes a deleted app's policies on the cleaner's own schedule", func() {
		g := startFoundation(cfsim.Config{Routers: 1, PolicyCleanup: 200 * time.Millisecond})
		defer g.close()
		app, err := g.cf.Applications.Create(ctx, resource.NewAppCreate("short-lived", g.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
		status, _ := g.raw(http.MethodPost, "/networking/v1/external/policies", "application/json",
			`{"policies":[`+policy(app.GUID, app.GUID, "tcp", 8080, 8080)+`]}`)
		Expect(status).To(Equal(200))
		job, err := g.cf.Applications.Delete(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(g.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
		Eventually(func() string {
			_, list := g.raw(http.MethodGet, "/networking/v1/external/policies", "", "")
			return list
		}, 3*time.Second, 50*time.Millisecond).Should(MatchJSON(`{"total_policies":0,"policies":[]}`))
	})
})

func readAll(resp *http.Response) string {
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}
