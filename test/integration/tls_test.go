package integration_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

var _ = Describe("TLS to a Cloud Controller whose certificate a private CA signed", func() {
	var w *world
	BeforeEach(func() {
		cfg := worldConfig(0)
		cfg.TLS = true
		w = newWorldFrom(cfg)
		Expect(w.info.APIURL).To(HavePrefix("https://"))
	})

	It("deploys and checks with the CA in source.ca_cert", func() {
		r := w.out(withSource(w.request("v1", nil), "ca_cert", w.info.CACert))
		Expect(r.code).To(Equal(0), r.stderr)
		w.waitServing("v1")
		l := w.startLoad()
		r = w.out(withSource(w.request("v2", nil), "ca_cert", w.info.CACert))
		Expect(r.code).To(Equal(0), r.stderr)
		l.expectNoFailures()
		Expect(w.serves(10)).To(Equal(map[string]int{"200 v2": 10}))

		src := withSource(map[string]any{"source": w.source()}, "ca_cert", w.info.CACert)
		checked := runBin(bins.Check, src)
		Expect(checked.code).To(Equal(0), checked.stderr)
		Expect(checked.stdout).To(ContainSubstring("app_guid"))
		Expect(checked.stderr).NotTo(ContainSubstring("skip_cert_check"))
	})

	It("fails clearly without the CA, naming source.ca_cert, and changes nothing", func() {
		r := w.out(w.request("v1", nil))
		Expect(r.code).NotTo(Equal(0))
		Expect(firstLine(r.stderr)).To(ContainSubstring("certificate"))
		Expect(firstLine(r.stderr)).To(ContainSubstring("source.ca_cert"))
		for _, req := range w.sim.Requests() {
			Expect(req.Mutating()).To(BeFalse(), "%s %s", req.Method, req.Path)
		}
		Expect(w.apps()).To(BeEmpty())

		checked := runBin(bins.Check, map[string]any{"source": w.source()})
		Expect(checked.code).NotTo(Equal(0))
		Expect(firstLine(checked.stderr)).To(ContainSubstring("source.ca_cert"))
	})

	It("skips verification only with skip_cert_check, and warns that it does", func() {
		checked := runBin(bins.Check, withSource(map[string]any{"source": w.source()}, "skip_cert_check", true))
		Expect(checked.code).To(Equal(0), checked.stderr)
		Expect(checked.stderr).To(ContainSubstring("skip_cert_check"))
	})
})

// trusting is an HTTP client that trusts the PEM CA alone.
func trusting(caPEM string) *http.Client {
	pool := x509.NewCertPool()
	Expect(pool.AppendCertsFromPEM([]byte(caPEM))).To(BeTrue())
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: transport}
}

// withSource sets a source field of a request.
func withSource(req map[string]any, key string, value any) map[string]any {
	req["source"].(map[string]any)[key] = value
	return req
}

// runBin runs check or in with the request on stdin, to the end.
func runBin(bin string, req any, args ...string) run {
	body, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(string(body))
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	scan.track(s, cmd, body)
	Eventually(s, time.Minute).Should(gexec.Exit())
	return run{code: s.ExitCode(), stdout: string(s.Out.Contents()), stderr: string(s.Err.Contents())}
}
