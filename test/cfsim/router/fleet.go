package router

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

const (
	endpointDialTimeout = 5 * time.Second  // gorouter endpoint_dial_timeout
	endpointTimeout     = 60 * time.Second // gorouter endpoint_timeout
	shutdownGrace       = 2 * time.Second  // in-flight requests are cancelled first, so this is rarely used
)

// Fleet owns N routers (each an http.Server on 127.0.0.1:0) and one load balancer in front of them.
type Fleet struct {
	routers       []*router
	urls          []string
	lbURL         string
	servers       []*http.Server
	backends      *http.Transport // shared by every router, as one gorouter process shares one
	front         *http.Transport // the load balancer's own
	processHeader atomic.Bool
	events        eventLog
	publishMu     sync.Mutex
	cancel        context.CancelFunc
	wg            sync.WaitGroup
	serveErrs     chan error
	closeOnce     sync.Once
	closeErr      error
}

// Start listens on loopback, starts every router and the load balancer, and their delivery
// goroutines. Close stops them all.
func Start(opts Options) (*Fleet, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	listeners, err := listenLoopback(opts.Routers + 1)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Fleet{
		cancel:    cancel,
		backends:  newTransport(),
		front:     newTransport(),
		serveErrs: make(chan error, len(listeners)),
	}
	f.processHeader.Store(opts.ProcessInstanceHeader)
	addrs := make([]string, opts.Routers)
	for i, lag := range opts.drawLags() {
		ln := listeners[i]
		addrs[i] = ln.Addr().String()
		ip := ln.Addr().(*net.TCPAddr).IP.String()
		q := newQueue(lag.registration, lag.removal)
		rt := newRouter(i, ip, q, &f.processHeader, opts.MaxAttempts, f.backends)
		rt.accessLog = opts.AccessLog
		f.routers = append(f.routers, rt)
		f.urls = append(f.urls, "http://"+addrs[i])
		f.serve(ctx, ln, rt)
		f.deliver(ctx, rt)
	}
	lb := listeners[opts.Routers]
	f.lbURL = "http://" + lb.Addr().String()
	f.serve(ctx, lb, newBalancer(addrs, f.front))
	return f, nil
}

func listenLoopback(n int) ([]net.Listener, error) {
	listeners := make([]net.Listener, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range listeners {
				_ = l.Close()
			}
			return nil, fmt.Errorf("router: listen on loopback: %w", err)
		}
		listeners = append(listeners, ln)
	}
	return listeners, nil
}

func newTransport() *http.Transport {
	return &http.Transport{
		// No Proxy: loopback traffic must never go through an HTTP_PROXY from the environment.
		DialContext:           (&net.Dialer{Timeout: endpointDialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          200,
		MaxIdleConnsPerHost:   50,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: endpointTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// serve runs h on ln. Every request's context derives from ctx, so Close cancels in-flight
// proxying at once instead of waiting for slow backends.
func (f *Fleet) serve(ctx context.Context, ln net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	f.servers = append(f.servers, srv)
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			f.serveErrs <- fmt.Errorf("router: serve %s: %w", ln.Addr(), err)
		}
	}()
}

// deliver runs rt's queue: each message reaches rt's table after rt's own lag for its kind.
func (f *Fleet) deliver(ctx context.Context, rt *router) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		rt.queue.run(ctx, func(d delivery) {
			rt.table.apply(d.msg)
			f.events.record(rt.index, d)
		})
	}()
}

// Close stops the servers and the delivery goroutines and waits for them. It is safe to call twice.
func (f *Fleet) Close() error {
	f.closeOnce.Do(func() {
		f.cancel()
		var errs []error
		for _, srv := range f.servers {
			errs = append(errs, shutdown(srv))
		}
		f.wg.Wait()
		close(f.serveErrs)
		for err := range f.serveErrs {
			errs = append(errs, err)
		}
		f.backends.CloseIdleConnections()
		f.front.CloseIdleConnections()
		f.closeErr = errors.Join(errs...)
	})
	return f.closeErr
}

// shutdown lets the (already cancelled) handlers return, then forces the server closed.
func shutdown(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		if cerr := srv.Close(); cerr != nil {
			return fmt.Errorf("router: close server: %w", cerr)
		}
	}
	return nil
}
