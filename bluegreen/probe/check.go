package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	defaultCheckSuccesses = 3
	defaultFailureLimit   = 3
	// defaultCheckInterval is slower than probing: a failure allowance is meant to ride out a
	// blip, which back-to-back retries would not.
	defaultCheckInterval = 100 * time.Millisecond
)

// Check is an HTTP smoke check (the user's pre-promotion checks).
type Check struct {
	// Path is relative to the route, default "/": on route host/p, "/health" requests
	// /p/health, so a check cannot reach past the route it is checking. It may carry "?query".
	Path         string
	Method       string            // default GET
	Status       int               // expected status, default 200
	BodyContains string            // optional; bodies are read up to 64 KiB
	Header       string            // optional: header that must be present...
	HeaderValue  string            // ...and equal to this when set
	Successes    int               // consecutive successes needed, default 3
	FailureLimit int               // failures (in all, not in a row) that end the check, default 3
	Headers      map[string]string // extra request headers, e.g. X-CF-Process-Instance to target a canary
	Interval     time.Duration     // between requests, default 100ms
}

// CheckResult is what a check cost.
type CheckResult struct {
	Requests, Failures int
	Elapsed            time.Duration
}

// RunCheck runs one check against the route until Successes consecutive passes (nil), FailureLimit
// failures (an error naming the check and the last failure) or the end of ctx. Requests rotate
// over the bases. A gorouter error page is always a failure, whatever the expected status: it
// means the app never saw the request.
func (p *Prober) RunCheck(ctx context.Context, r Route, c Check) (CheckResult, error) {
	start := time.Now()
	c = c.withDefaults()
	name := fmt.Sprintf("check %s %s on route %s", c.Method, c.Path, r)
	if err := c.validate(); err != nil {
		return CheckResult{}, fmt.Errorf("%s: %w", name, err)
	}
	pl, err := p.plan(r)
	if err != nil {
		return CheckResult{}, fmt.Errorf("%s: %w", name, err)
	}
	ctx, cancel := p.bounded(ctx)
	defer cancel()
	res, err := c.run(ctx, pl, r)
	res.Elapsed = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	p.logf("%s passed: %d requests, %d failures, %s", name, res.Requests, res.Failures, res.Elapsed)
	return res, nil
}

// run sends requests until the check passes or fails. It ends by FailureLimit or by ctx, which
// always has a deadline.
func (c Check) run(ctx context.Context, pl plan, r Route) (CheckResult, error) {
	var res CheckResult
	streak, last := 0, ""
	for n := 0; ; n++ {
		res.Requests++
		failure := c.once(ctx, pl, pl.bases[n%len(pl.bases)], r)
		if ctx.Err() != nil {
			return res, c.timedOut(ctx, streak, last)
		}
		if failure == "" {
			if streak++; streak >= c.Successes {
				return res, nil
			}
		} else {
			res.Failures, streak, last = res.Failures+1, 0, failure
			if res.Failures >= c.FailureLimit {
				return res, fmt.Errorf("failed %d times (limit %d), last: %s", res.Failures, c.FailureLimit, last)
			}
		}
		if sleep(ctx, c.Interval) != nil {
			return res, c.timedOut(ctx, streak, last)
		}
	}
}

func (c Check) timedOut(ctx context.Context, streak int, last string) error {
	if last == "" {
		last = "none"
	}
	return fmt.Errorf("%d of %d consecutive successes when time ran out, last failure: %s: %w",
		streak, c.Successes, last, ctx.Err())
}

// once sends one request and returns why it failed, or "" when it passed.
func (c Check) once(ctx context.Context, pl plan, base *url.URL, r Route) string {
	rq := request{method: c.Method, base: base, host: r.Host, path: c.requestPath(r), header: http.Header{}}
	for k, v := range c.Headers {
		rq.header.Set(k, v)
	}
	rep, err := pl.exchange(ctx, rq)
	if err != nil {
		return fmt.Sprintf("no answer through %s: %v", base.Redacted(), err)
	}
	return c.judge(rep)
}

// judge compares a reply with the check's expectations, the status first: a wrong status makes
// the body and headers beside the point.
func (c Check) judge(rep reply) string {
	if e := rep.header.Get(headerRouterError); e != "" {
		return fmt.Sprintf("status %d from the router itself (X-Cf-Routererror: %s), not the app", rep.status, e)
	}
	if rep.status != c.Status {
		return fmt.Sprintf("status %d, want %d", rep.status, c.Status)
	}
	if c.BodyContains != "" && !strings.Contains(string(rep.body), c.BodyContains) {
		return fmt.Sprintf("body does not contain %q", c.BodyContains)
	}
	if c.Header != "" && !headerMatches(rep.header, c.Header, c.HeaderValue) {
		if got := rep.header.Values(c.Header); len(got) > 0 {
			return fmt.Sprintf("header %s is %q, want %q", c.Header, got, c.HeaderValue)
		}
		return fmt.Sprintf("header %s missing", c.Header)
	}
	return ""
}

// requestPath joins the route's path and the check's.
func (c Check) requestPath(r Route) string {
	if c.Path == "/" && r.Path != "" {
		return r.Path
	}
	return strings.TrimSuffix(r.Path, "/") + c.Path
}

func (c Check) withDefaults() Check {
	if c.Path == "" {
		c.Path = "/"
	}
	if c.Method == "" {
		c.Method = http.MethodGet
	}
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	if c.Successes == 0 {
		c.Successes = defaultCheckSuccesses
	}
	if c.FailureLimit == 0 {
		c.FailureLimit = defaultFailureLimit
	}
	if c.Interval == 0 {
		c.Interval = defaultCheckInterval
	}
	return c
}

func (c Check) validate() error {
	switch {
	case !strings.HasPrefix(c.Path, "/"):
		return fmt.Errorf("path %q must start with /", c.Path)
	case c.Status < 100 || c.Status > 599:
		return fmt.Errorf("expected status %d is not an HTTP status", c.Status)
	case c.Successes < 1 || c.FailureLimit < 1:
		return errors.New("successes and failure limit must be at least 1")
	case c.Interval < 0:
		return errors.New("interval must not be negative")
	case c.HeaderValue != "" && c.Header == "":
		return fmt.Errorf("header value %q has no Header", c.HeaderValue)
	}
	return nil
}
