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
	defaultInterval     = 20 * time.Millisecond
	defaultProbeTimeout = 2 * time.Second
	// defaultTimeout outlasts the slowest healing path on a real foundation: a lost registration
	// waits for the 60 s resync, a stale non-TLS route lingers up to 150 s
	// (docs/platform/propagation-and-gorouter.md#latency).
	defaultTimeout        = 5 * time.Minute
	directConfirmations   = 3
	balancedConfirmations = 10
	defaultScheme         = "https"
)

// Prober sends verification requests to routes through the routers.
type Prober struct {
	// Bases are the URLs requests are sent to, the route's host going in the Host header:
	// one URL = a load balancer; several = each router directly. Empty = resolve the route's
	// hostname itself (scheme Scheme, default "https").
	Bases  []string
	Scheme string
	// Client sends every request; required. TLS settings are the caller's. Redirects are never
	// followed: a redirect is the app's own answer.
	Client *http.Client
	// Interval is the pause between probes while waiting for a change, default 20ms:
	// verification lag must stay near the routers' own lag. The K confirmations of an answer
	// that counts go out back to back.
	Interval time.Duration
	// Confirmations is K, the consecutive confirmations needed per base (and per index); default 3
	// with several bases, 10 with one (a load balancer spreads probes across routers it hides).
	Confirmations int
	// ProbeTimeout bounds each request, default 2s, so one hung router cannot stall a base.
	ProbeTimeout time.Duration
	// Timeout bounds a whole call when ctx has no earlier deadline, default 5 minutes, so
	// verification always ends.
	Timeout time.Duration
	// Log receives progress lines; optional.
	Log func(format string, args ...any)
}

// Route is where users reach the app: host (full hostname, e.g. myapp.apps.example.com) and path
// ("" or "/p").
type Route struct{ Host, Path string }

func (r Route) String() string { return r.Host + r.Path }

func (r Route) validate() error {
	switch {
	case r.Host == "":
		return errors.New("route has no host")
	case strings.ContainsAny(r.Host, "/: "):
		return fmt.Errorf("route host %q must be a bare hostname", r.Host)
	case r.Path != "" && !strings.HasPrefix(r.Path, "/"):
		return fmt.Errorf("route %s: path %q must start with /", r.Host, r.Path)
	}
	return nil
}

// requestPath is the path a probe asks for: the route's own, so a path route is what is tested.
func (r Route) requestPath() string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

// Result is what verification cost.
type Result struct {
	Probes  int             // requests sent
	Elapsed time.Duration   // from the call to confirmation
	PerBase []time.Duration // time to confirmation per base, in Bases order; zero if not confirmed
}

// plan is one call's settings with every default applied, so defaults live in one place.
type plan struct {
	client       *http.Client
	bases        []*url.URL
	k            int
	interval     time.Duration
	probeTimeout time.Duration
	fresh        bool // one base: a new connection per request (see the package doc)
}

func (p *Prober) plan(r Route) (plan, error) {
	if err := p.validate(); err != nil {
		return plan{}, err
	}
	if err := r.validate(); err != nil {
		return plan{}, err
	}
	bases, err := p.bases(r)
	if err != nil {
		return plan{}, err
	}
	client := *p.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	pl := plan{client: &client, bases: bases, k: p.Confirmations, interval: p.Interval,
		probeTimeout: p.ProbeTimeout, fresh: len(bases) == 1}
	if pl.k == 0 {
		pl.k = directConfirmations
		if pl.fresh {
			pl.k = balancedConfirmations
		}
	}
	if pl.interval == 0 {
		pl.interval = defaultInterval
	}
	if pl.probeTimeout == 0 {
		pl.probeTimeout = defaultProbeTimeout
	}
	return pl, nil
}

func (p *Prober) validate() error {
	switch {
	case p.Client == nil:
		return errors.New("prober has no http.Client")
	case p.Interval < 0 || p.ProbeTimeout < 0 || p.Timeout < 0:
		return errors.New("prober durations must not be negative")
	case p.Confirmations < 0:
		return fmt.Errorf("prober confirmations must not be negative, got %d", p.Confirmations)
	case p.Scheme != "" && p.Scheme != "http" && p.Scheme != "https":
		return fmt.Errorf("prober scheme must be http or https, got %q", p.Scheme)
	}
	return nil
}

// bases parses Bases, or derives the single base from the route's hostname.
func (p *Prober) bases(r Route) ([]*url.URL, error) {
	raw := p.Bases
	if len(raw) == 0 {
		scheme := p.Scheme
		if scheme == "" {
			scheme = defaultScheme
		}
		raw = []string{scheme + "://" + r.Host}
	}
	bases := make([]*url.URL, len(raw))
	for i, s := range raw {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("base %q: %w", s, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("base %q must be an http or https URL with a host", s)
		}
		bases[i] = u
	}
	return bases, nil
}

// bounded applies Timeout, so no wait outlives it even when the caller's ctx has no deadline.
func (p *Prober) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	d := p.Timeout
	if d == 0 {
		d = defaultTimeout
	}
	return context.WithTimeout(ctx, d)
}

func (p *Prober) logf(format string, args ...any) {
	if p.Log != nil {
		p.Log(format, args...)
	}
}

// sleep waits d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
