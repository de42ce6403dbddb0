package router_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gleak"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

var _ = Describe("Close", func() {
	It("closes every listener and leaves no goroutine behind, promptly", func() {
		arrived := make(chan struct{}, 1)
		slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}))
		DeferCleanup(slow.Close)
		queued := newBackend("queued")
		client.Transport.(*http.Transport).CloseIdleConnections()
		before := gleak.Goroutines()

		f, err := router.Start(router.Options{Routers: 2})
		Expect(err).NotTo(HaveOccurred())
		register(f, routeHost, router.Endpoint{Address: slow.Listener.Addr().String()})
		f.SetLag(0, time.Hour)
		f.SetLag(1, time.Hour)
		f.Publish(registration(queued)) // waits an hour in both queues
		// A request stuck on a slow backend must not hold Close up.
		done := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(done)
			req, err := http.NewRequest(http.MethodGet, f.LBURL()+"/", nil)
			Expect(err).NotTo(HaveOccurred())
			req.Host = routeHost
			if resp, err := client.Do(req); err == nil {
				_ = resp.Body.Close()
			}
		}()
		Eventually(arrived).WithTimeout(2 * time.Second).Should(Receive())
		addrs := append(f.RouterURLs(), f.LBURL())

		start := time.Now()
		Expect(f.Close()).To(Succeed())
		Expect(time.Since(start)).To(BeNumerically("<", time.Second))
		Expect(f.Close()).To(Succeed(), "a second Close is harmless")
		Eventually(done).WithTimeout(2 * time.Second).Should(BeClosed())

		for _, u := range addrs {
			_, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "http://"), time.Second)
			Expect(err).To(HaveOccurred(), "%s still accepts connections", u)
		}
		client.Transport.(*http.Transport).CloseIdleConnections()
		Eventually(gleak.Goroutines).WithTimeout(3 * time.Second).ShouldNot(gleak.HaveLeaked(before))
	})
})
