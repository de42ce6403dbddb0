package cfsim

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Request is one Cloud Controller or UAA request as the simulator saw it.
type Request struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Query    string    `json:"query,omitempty"`
	Status   int       `json:"status"`
	Injected bool      `json:"injected,omitempty"` // a fault decided the answer
	BytesIn  int64     `json:"bytes_in,omitempty"` // request body bytes the handler read (uploads)
}

// Mutating reports whether the request could change the foundation's state.
func (r Request) Mutating() bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Path != "/oauth/token"
}

type requestLog struct {
	mu   sync.Mutex
	reqs []Request
}

type injectedKey struct{}

// markInjected tells the request log that a fault answered this request.
func markInjected(r *http.Request) {
	if p, ok := r.Context().Value(injectedKey{}).(*bool); ok {
		*p = true
	}
}

// middleware logs each request as its answer starts (its status written, or the connection
// taken by a dropped-connection fault), or when the handler returns without one: a client that
// has the answer then always finds the request in the log.
func (l *requestLog) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		injected := false
		r = r.WithContext(context.WithValue(r.Context(), injectedKey{}, &injected))
		body := &countingBody{ReadCloser: r.Body}
		r.Body = body
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		rec.logged = sync.OnceFunc(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.reqs = append(l.reqs, Request{
				Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
				Status: rec.status, Injected: injected, BytesIn: body.n,
			})
		})
		next.ServeHTTP(rec, r)
		rec.logged()
	})
}

func (l *requestLog) all() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Request(nil), l.reqs...)
}

func (l *requestLog) reset() {
	l.mu.Lock()
	l.reqs = nil
	l.mu.Unlock()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	logged func() // logs the request, once
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.logged()
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.logged()
	return s.ResponseWriter.Write(b)
}

// Hijack lets a dropped-connection fault reach the real connection.
func (s *statusRecorder) Hijack() (c net.Conn, rw *bufio.ReadWriter, err error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	s.status = 0
	s.logged()
	return hj.Hijack()
}

// countingBody counts what a handler reads of a request body, so the benchmark can tell how
// many bytes an upload really sent.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}
