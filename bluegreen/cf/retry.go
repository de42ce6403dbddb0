package cf

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// RetryPolicy bounds how a transient Cloud Controller failure (5xx, 429, a lost connection)
// is retried: a few tries, exponential backoff with jitter so that many clients hit by the
// same outage do not come back in step.
type RetryPolicy struct {
	Attempts int           // tries per request, the first included (default 5)
	Base     time.Duration // wait before the second try, doubling after (default 250ms)
	Max      time.Duration // longest wait between tries (default 4s)
}

// The defaults ride out a Cloud Controller hiccup of about 8 s per request.
const (
	defaultAttempts = 5
	defaultBase     = 250 * time.Millisecond
	defaultMax      = 4 * time.Second
	maxRetryAfter   = 30 * time.Second // caps a server's Retry-After: a deploy has its own deadlines
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = defaultAttempts
	}
	if p.Base <= 0 {
		p.Base = defaultBase
	}
	if p.Max <= 0 {
		p.Max = defaultMax
	}
	if p.Max < p.Base {
		p.Max = p.Base
	}
	return p
}

// Backoff is the wait after the n-th failed try (n from 1): Base·2^(n-1) capped at Max, of
// which half is fixed and half random ("equal jitter"), so a retry never comes at once.
func (p RetryPolicy) Backoff(n int) time.Duration {
	p = p.withDefaults()
	d := p.Max
	if n < 1 {
		n = 1
	}
	if n <= 32 {
		if exp := p.Base << (n - 1); exp > 0 && exp < p.Max {
			d = exp
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// TransientError is a failure that may pass if the request is tried again: the Cloud
// Controller (or a router in front of it) answered 5xx or 429, or the connection failed.
// It may have done the work before the answer was lost.
type TransientError struct {
	Method, Path string
	Status       int    // 0 for a connection failure
	Detail       string // CC's error title and detail, when it sent one
	Err          error  // the connection failure
	Attempts     int    // tries made by the transport
}

func (e *TransientError) Error() string {
	tries := "1 try"
	if e.Attempts > 1 {
		tries = fmt.Sprintf("%d tries", e.Attempts)
	}
	if e.Status == 0 {
		return fmt.Sprintf("%s %s: connection failed (%v) after %s", e.Method, e.Path, e.Err, tries)
	}
	detail := ""
	if e.Detail != "" {
		detail = " (" + e.Detail + ")"
	}
	return fmt.Sprintf("%s %s: %s answered %d%s after %s", e.Method, e.Path, answeredBy(e.Path), e.Status, detail, tries)
}

// answeredBy names the server behind a path: the port talks to Log Cache (/api/v1/...) and the
// policy server (/networking/...) through the same transport as to the Cloud Controller.
func answeredBy(path string) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/"):
		return "Log Cache"
	case strings.HasPrefix(path, "/networking/"):
		return "the policy server"
	}
	return "the Cloud Controller"
}

func (e *TransientError) Unwrap() error { return e.Err }

// asTransient finds a TransientError in err's chain.
func asTransient(err error) (*TransientError, bool) {
	var te *TransientError
	ok := errors.As(err, &te)
	return te, ok
}

// IsTransient reports whether err is a failure that may pass on a later try.
func IsTransient(err error) bool {
	_, ok := asTransient(err)
	return ok
}

// create makes something the Cloud Controller must not be asked twice for (an app, a route,
// a package, a build, a droplet, a deployment). When the answer is lost, CC may have made it
// anyway, so find looks for it before the next try: nothing is made twice.
func create[T any](ctx context.Context, p RetryPolicy, what string, do func() (T, error), find func() (T, bool, error)) (T, error) {
	p = p.withDefaults()
	var zero T
	for attempt := 1; ; attempt++ {
		v, err := do()
		if err == nil {
			return v, nil
		}
		te, ok := asTransient(err)
		if !ok {
			return zero, fmt.Errorf("%s: %w", what, err)
		}
		got, found, ferr := find()
		if ferr != nil {
			return zero, fmt.Errorf("%s: %w (looking for what it may have made failed too: %v)", what, te, ferr)
		}
		if found {
			return got, nil
		}
		if attempt >= p.Attempts || te.Attempts >= p.Attempts {
			return zero, fmt.Errorf("%s: %w", what, te)
		}
		if err := poll.Sleep(ctx, p.Backoff(attempt)); err != nil {
			return zero, fmt.Errorf("%s: %w (stopped retrying: %w)", what, te, err)
		}
	}
}

// act runs a request whose repetition is not harmless, or is refused once it has taken effect
// (an upload, a canary continue, a cancel, an unmap). After any failure landed reads whether
// the request took effect anyway; only a transient failure that did not land is tried again.
func act(ctx context.Context, p RetryPolicy, what string, do func() error, landed func() (bool, error)) error {
	p = p.withDefaults()
	for attempt := 1; ; attempt++ {
		err := do()
		if err == nil {
			return nil
		}
		done, lerr := landed()
		if lerr != nil {
			return fmt.Errorf("%s: %w (checking whether it took effect failed too: %v)", what, err, lerr)
		}
		if done {
			return nil
		}
		te, ok := asTransient(err)
		if !ok {
			return fmt.Errorf("%s: %w", what, err)
		}
		if attempt >= p.Attempts || te.Attempts >= p.Attempts {
			return fmt.Errorf("%s: %w", what, te)
		}
		if err := poll.Sleep(ctx, p.Backoff(attempt)); err != nil {
			return fmt.Errorf("%s: %w (stopped retrying: %w)", what, te, err)
		}
	}
}
