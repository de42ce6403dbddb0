package router

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// errNoEndpoints is reported when the pool emptied between the lookup and the round trip.
var errNoEndpoints = errors.New("no endpoints available")

// rewriteForBackend sets the headers gorouter adds to every backend request. The endpoint is not
// known yet: the retrier picks it, per attempt.
func rewriteForBackend(pr *httputil.ProxyRequest) {
	in, out := pr.In, pr.Out
	out.URL.Scheme = "http"
	out.Header.Del(headerAppInstance)
	// Rewrite drops the inbound X-Forwarded-*; gorouter appends to X-Forwarded-For and keeps a
	// client's X-Forwarded-Proto.
	out.Header.Set("X-Forwarded-For", forwardedFor(in))
	proto := in.Header.Get("X-Forwarded-Proto")
	if proto == "" {
		proto = "http"
	}
	out.Header.Set("X-Forwarded-Proto", proto)
	if out.Header.Get("X-Request-Start") == "" {
		out.Header.Set("X-Request-Start", strconv.FormatInt(time.Now().UnixMilli(), 10))
	}
	out.Header.Set(headerRequestID, newRequestID())
}

// forwardedFor appends the client's IP to the X-Forwarded-For it arrived with.
func forwardedFor(in *http.Request) string {
	ip := hostWithoutPort(in.RemoteAddr)
	if prior := in.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		return strings.Join(prior, ", ") + ", " + ip
	}
	return ip
}

// newRequestID returns a random UUID-shaped id (version 4 layout).
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// modifyResponse adds gorouter's response headers to a backend's answer.
func (rt *router) modifyResponse(resp *http.Response) error {
	sent := resp.Request
	if resp.Header.Get(headerRequestID) == "" {
		resp.Header.Set(headerRequestID, sent.Header.Get(headerRequestID))
	}
	if sent.Header.Get(headerTrace) == traceKey {
		resp.Header.Set("X-Vcap-Router", rt.ip)
		resp.Header.Set("X-Vcap-Backend", sent.URL.Host)
		resp.Header.Set("X-Cf-RouteEndpoint", sent.URL.Host)
	}
	return nil
}

// proxyError answers 502 endpoint_failure once the retrier has given up.
func proxyError(w http.ResponseWriter, _ *http.Request, err error) {
	endpointFailureError(err).write(w)
}

// retrier is the proxy's transport: it picks an endpoint from the request's pool per attempt and
// retries on the next one when the request never reached the backend.
type retrier struct {
	next        http.RoundTripper
	maxAttempts int
}

func (rr *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	p := poolFrom(req.Context())
	if p == nil {
		return nil, errNoEndpoints
	}
	err := errNoEndpoints
	for range rr.maxAttempts {
		ep, ok := p.pick(time.Now())
		if !ok {
			return nil, errNoEndpoints
		}
		out := backendRequest(req, ep)
		a := attemptFrom(req.Context())
		if a != nil {
			a.tried(ep, out.Header)
		}
		var resp *http.Response
		resp, err = rr.next.RoundTrip(out)
		if err == nil {
			if a != nil {
				a.done()
			}
			return resp, nil
		}
		if !retriable(req, err) || req.Context().Err() != nil {
			return nil, err
		}
		p.markFailed(ep.Address, time.Now())
	}
	return nil, err
}

// backendRequest addresses one attempt to ep and adds the instance headers gorouter sends.
func backendRequest(req *http.Request, ep Endpoint) *http.Request {
	out := req.Clone(req.Context())
	out.URL.Host = ep.Address
	if req.Body != nil {
		// The transport closes the body on failure; keep it open so a retry can still send it.
		// A dial error means nothing was read, so the next attempt sends the whole body.
		out.Body = io.NopCloser(req.Body)
	}
	instanceID := ep.InstanceGUID
	if instanceID == "" {
		instanceID = ep.Address
	}
	out.Header.Set("X-CF-ApplicationID", ep.AppGUID)
	out.Header.Set("X-CF-InstanceIndex", strconv.Itoa(ep.Index))
	out.Header.Set("X-CF-InstanceID", instanceID)
	return out
}

// retriable reports whether gorouter's classifiers retry err: a dial error (the request never
// reached the backend), or the connection ending before an answer to an idempotent request
// (a backend that stops while it holds the request).
func retriable(req *http.Request, err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if op := (*net.OpError)(nil); errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	hungUp := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
	return hungUp && idempotent(req.Method)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}
