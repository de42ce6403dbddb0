package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// stallReport is how often a base still waiting says what it sees, so a long wait (a lost
// registration heals only at the next resync) is visible in the log.
const stallReport = 5 * time.Second

// AwaitPresent returns once, on every base, the backend has answered K consecutive times on the
// route for every index: AppGUID mode probes each index separately; ProcessGUID mode probes the
// process guid with each index, after proving the routers honour the header; Marker mode needs K
// consecutive responses carrying the marker. A gorouter error or a connection error resets that
// base's count. An answer from the app of any status counts (see Backend.RequireHealthy). When
// ctx (or Timeout) ends, the error names the route, every base not yet confirmed and what it
// last saw.
func (p *Prober) AwaitPresent(ctx context.Context, r Route, b Backend) (Result, error) {
	return p.await(ctx, r, b, true)
}

// AwaitAbsent returns once, on every base, gorouter has answered the backend's instance header
// with 400/404 X-Cf-Routererror: unknown_route K consecutive times for every index (ProcessGUID
// mode: for the process guid without an index, which covers them all). In Marker mode it needs K
// consecutive app answers without the marker, or the route gone. Anything else resets the count.
func (p *Prober) AwaitAbsent(ctx context.Context, r Route, b Backend) (Result, error) {
	return p.await(ctx, r, b, false)
}

// job is one Await call, shared by its base goroutines.
type job struct {
	plan   plan
	route  Route
	what   string // e.g. "app 6a2f... present", for messages
	steps  []step
	marker *Marker
	start  time.Time
	probes atomic.Int64
}

func (p *Prober) await(ctx context.Context, r Route, b Backend, present bool) (Result, error) {
	start := time.Now()
	verb := "absent"
	if present {
		verb = "present"
	}
	b, err := b.normalized()
	if err != nil {
		return Result{}, fmt.Errorf("verify %s on route %s: invalid backend: %w", verb, r, err)
	}
	pl, err := p.plan(r)
	if err != nil {
		return Result{}, fmt.Errorf("verify %s %s on route %s: %w", b, verb, r, err)
	}
	ctx, cancel := p.bounded(ctx)
	defer cancel()
	j := &job{plan: pl, route: r, what: b.String() + " " + verb, steps: b.steps(present), marker: b.Marker, start: start}
	perBase, err := p.confirmAll(ctx, j)
	res := Result{Probes: int(j.probes.Load()), Elapsed: time.Since(start), PerBase: perBase}
	if err != nil {
		return res, fmt.Errorf("verify %s on route %s: %w", j.what, r, err)
	}
	p.logf("route %s: %s confirmed on %d base(s) in %s (%d probes)", r, j.what, len(perBase), res.Elapsed, res.Probes)
	return res, nil
}

// confirmAll runs one goroutine per base and waits for all: each base must confirm on its own, so
// a slow one does not stop the others. Only an unverifiable error cancels the rest.
func (p *Prober) confirmAll(ctx context.Context, j *job) ([]time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	perBase := make([]time.Duration, len(j.plan.bases))
	errs := make([]error, len(j.plan.bases))
	var wg sync.WaitGroup
	for i, base := range j.plan.bases {
		wg.Go(func() {
			perBase[i], errs[i] = p.confirmBase(ctx, j, base)
			if unverifiable(errs[i]) {
				cancel(errs[i])
			}
		})
	}
	wg.Wait()
	return perBase, joinBaseErrors(errs)
}

// joinBaseErrors reports unverifiable errors alone when there are any: the other bases were only
// cancelled because of them.
func joinBaseErrors(errs []error) error {
	var fatal []error
	for _, err := range errs {
		if unverifiable(err) {
			fatal = append(fatal, err)
		}
	}
	if len(fatal) > 0 {
		return errors.Join(fatal...)
	}
	return errors.Join(errs...)
}

func (p *Prober) confirmBase(ctx context.Context, j *job, base *url.URL) (time.Duration, error) {
	for _, s := range j.steps {
		if err := p.confirmStep(ctx, j, base, s); err != nil {
			return 0, fmt.Errorf("base %s: %w", base.Redacted(), err)
		}
	}
	took := time.Since(j.start)
	p.logf("route %s: %s confirmed through %s after %s", j.route, j.what, base.Redacted(), took)
	return took, nil
}

// confirmStep probes until K answers in a row count. The loop ends with ctx, which always has a
// deadline (Prober.Timeout).
func (p *Prober) confirmStep(ctx context.Context, j *job, base *url.URL, s step) error {
	w := watch{step: s, k: j.plan.k, reported: time.Now()}
	for {
		o := j.probe(ctx, base, s)
		if ctx.Err() != nil {
			// The answer, if any, is an artefact of the cancellation: keep the last real one.
			return w.notConfirmed(ctx)
		}
		if s.fatal != nil {
			if err := s.fatal(o); err != nil {
				return unverifiableError{err}
			}
		}
		if w.record(o) {
			return nil
		}
		if w.stalled() {
			p.logf("route %s: base %s: still waiting: %s", j.route, base.Redacted(), w)
		}
		// The interval paces the wait for a change, not the count of one already seen: after
		// an answer that counts, the next confirmation goes out at once, so the proof follows
		// the last router within a few round trips instead of K intervals.
		if w.streak > 0 {
			continue
		}
		if sleep(ctx, j.plan.interval) != nil {
			return w.notConfirmed(ctx)
		}
	}
}

func (j *job) probe(ctx context.Context, base *url.URL, s step) observation {
	j.probes.Add(1)
	rq := request{method: http.MethodGet, base: base, host: j.route.Host, path: j.route.requestPath(), header: http.Header{}}
	if s.header != "" {
		rq.header.Set(s.header, s.value)
	}
	rep, err := j.plan.exchange(ctx, rq)
	return observe(rep, err, j.marker)
}
