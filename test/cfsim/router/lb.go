package router

import (
	"net/http"
	"net/http/httputil"
	"sync/atomic"
)

// balancer is the load balancer in front of the routers: an L7 proxy that sends each request to
// the next router in turn and keeps the Host header, like a cloud load balancer would.
type balancer struct {
	routers []string // host:port of each router
	next    atomic.Uint64
	proxy   *httputil.ReverseProxy
}

func newBalancer(routers []string, transport http.RoundTripper) *balancer {
	b := &balancer{routers: routers}
	b.proxy = &httputil.ReverseProxy{
		Rewrite:       b.rewrite,
		Transport:     transport,
		ErrorHandler:  balancerError,
		FlushInterval: -1,
	}
	return b
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.proxy.ServeHTTP(w, r)
}

// rewrite targets the next router; Out.Host still holds the client's Host, which is what routes.
func (b *balancer) rewrite(pr *httputil.ProxyRequest) {
	n := b.next.Add(1) - 1
	pr.Out.URL.Scheme = "http"
	pr.Out.URL.Host = b.routers[n%uint64(len(b.routers))]
	pr.Out.Header.Set("X-Forwarded-For", forwardedFor(pr.In))
	if proto := pr.In.Header.Get("X-Forwarded-Proto"); proto != "" {
		pr.Out.Header.Set("X-Forwarded-Proto", proto)
	}
}

// balancerError answers for an unreachable router. The load balancer is not a gorouter, so its
// page carries no X-Cf-Routererror.
func balancerError(w http.ResponseWriter, _ *http.Request, _ error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = w.Write([]byte("502 Bad Gateway\n"))
}
