package router

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"sync/atomic"
)

// router is one simulated gorouter: a routing table fed by its own delivery queue, and a proxy.
type router struct {
	index         int
	ip            string // reported in X-Vcap-Router
	table         *table
	queue         *queue
	processHeader *atomic.Bool // shared by the fleet so SetProcessInstanceHeader flips every router
	maxAttempts   int
	proxy         *httputil.ReverseProxy
	accessLog     func(AccessLogRecord) // nil: no access log
}

func newRouter(index int, ip string, q *queue, processHeader *atomic.Bool, maxAttempts int,
	transport http.RoundTripper) *router {
	rt := &router{
		index:         index,
		ip:            ip,
		table:         newTable(),
		queue:         q,
		processHeader: processHeader,
		maxAttempts:   maxAttempts,
	}
	rt.proxy = &httputil.ReverseProxy{
		Rewrite:        rewriteForBackend,
		Transport:      &retrier{next: transport, maxAttempts: maxAttempts},
		ModifyResponse: rt.modifyResponse,
		ErrorHandler:   proxyError,
		FlushInterval:  -1, // stream: pass every chunk on as soon as the backend sends it
	}
	return rt
}

type poolKey struct{}

func withPool(ctx context.Context, p *pool) context.Context {
	return context.WithValue(ctx, poolKey{}, p)
}

func poolFrom(ctx context.Context) *pool {
	p, _ := ctx.Value(poolKey{}).(*pool)
	return p
}

// ServeHTTP follows gorouter's lookup handler: host check, instance headers, route lookup, proxy.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if missingHost(r) {
		emptyHostError().write(w)
		return
	}
	p, rerr := rt.resolve(r)
	if rerr != nil {
		rerr.write(w)
		return
	}
	r = r.WithContext(withPool(r.Context(), p))
	if rt.accessLog != nil {
		rt.serveLogged(w, r)
		return
	}
	rt.proxy.ServeHTTP(w, r)
}

// missingHost also rejects a Host equal to the client's IP: some load balancers fill an absent
// HTTP/1.0 Host with their own address, and gorouter refuses to treat that as a route.
func missingHost(r *http.Request) bool {
	return r.Host == "" || hostWithoutPort(r.Host) == hostWithoutPort(r.RemoteAddr)
}

func hostWithoutPort(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return hostport
}

// resolve picks the pool for r. The instance headers are validated before the lookup, so a
// malformed value gets the same 400 whether or not the route exists.
func (rt *router) resolve(r *http.Request) (*pool, *routerError) {
	host, path := hostWithoutPort(r.Host), r.URL.EscapedPath()
	var narrow func(*pool) *pool
	if v := r.Header.Get(headerAppInstance); v != "" {
		t, ok := parseAppInstance(v)
		if !ok {
			e := invalidAppInstanceError()
			return nil, &e
		}
		narrow = func(p *pool) *pool { return withAppInstance(p, t.guid, t.index) }
	} else if v := r.Header.Get(headerProcessInstance); v != "" && rt.processHeader.Load() {
		t, ok := parseProcessInstance(v)
		if !ok {
			e := invalidProcessInstanceError()
			return nil, &e
		}
		narrow = func(p *pool) *pool { return withProcessInstance(p, t.guid, t.index) }
	}
	p := rt.table.lookup(host, path)
	if p != nil && narrow != nil {
		p = narrow(p)
	}
	if p == nil {
		e := rt.missingRoute(r)
		return nil, &e
	}
	return p, nil
}

// missingRoute mirrors gorouter's handleMissingRoute, including its quirk: when both instance
// headers are sent, the App-Instance lookup is used but the process-guid text wins in the body.
func (rt *router) missingRoute(r *http.Request) routerError {
	e := unknownRouteError(r.Host)
	if v := r.Header.Get(headerAppInstance); v != "" {
		t, _ := parseAppInstance(v)
		e = unknownAppInstanceError(r.Host, t)
	}
	if v := r.Header.Get(headerProcessInstance); v != "" && rt.processHeader.Load() {
		t, _ := parseProcessInstance(v)
		e = unknownProcessInstanceError(r.Host, t)
	}
	return e
}
