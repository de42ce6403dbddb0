package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// load sends one request at a time through the load balancer, one every interval, and keeps
// every answer. It is bounded in count and time whatever the caller does.
type load struct {
	mu      sync.Mutex
	samples []sample
	cancel  context.CancelFunc
	done    chan struct{}
}

const (
	loadMaxRequests = 100_000
	loadMaxTime     = 3 * time.Minute
	// loadTimeout is how long a load request may take before it counts as failed. Generous,
	// so that a machine busy with other work does not pass for a failing deploy; a request
	// that hangs on a dead backend still fails.
	loadTimeout = 10 * time.Second
)

// startLoad requests http://LB/ with the app's host until stopped.
func startLoad(ctx context.Context, client *http.Client, lb, host string, interval time.Duration) *load {
	ctx, cancel := context.WithTimeout(ctx, loadMaxTime)
	l := &load{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := 0; i < loadMaxRequests; i++ {
			s := hit(ctx, client, lb, host)
			if ctx.Err() != nil {
				return // an answer cut short by stopping is not the platform's failure
			}
			l.mu.Lock()
			l.samples = append(l.samples, s)
			l.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return l
}

// stop ends the load and returns its samples, oldest first.
func (l *load) stop() []sample {
	l.cancel()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.samples
}

// hit sends GET / for host and says what answered. A request fails when no app answered it:
// a connection error, or a gorouter error page (X-Cf-Routererror, no app version header).
func hit(ctx context.Context, client *http.Client, base, host string) sample {
	s := sample{At: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	if err != nil {
		s.Failed = true
		return s
	}
	req.Host = host
	resp, err := client.Do(req)
	s.Took = time.Since(s.At)
	if err != nil {
		s.Failed, s.Error = true, connectionError(err)
		return s
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	s.Status = resp.StatusCode
	s.Version = resp.Header.Get("X-App-Version")
	s.Error = resp.Header.Get("X-Cf-Routererror")
	s.Failed = s.Error != "" || s.Version == ""
	if s.Failed && s.Error == "" {
		s.Error = "no app answered"
	}
	return s
}

// connectionError names a failed request's cause briefly: a timeout, or the error itself.
func connectionError(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return err.Error()
}

// waitServing waits until every router answers host with version, so a deploy starts from a
// settled foundation.
func waitServing(ctx context.Context, client *http.Client, routers []string, host, version string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, r := range routers {
		for {
			if s := hit(ctx, client, r, host); !s.Failed && s.Version == version {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s never served %s through %s: %w", host, version, r, context.Cause(ctx))
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return nil
}
