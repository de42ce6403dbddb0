package router

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Endpoint is one backend instance as the route-emitter announces it (NATS router.register fields).
type Endpoint struct {
	Address      string // "127.0.0.1:PORT" of the app instance; the endpoint key, as gorouter's host:port
	AppGUID      string // NATS "app"
	ProcessGUID  string // tags.process_id
	Index        int    // private_instance_index
	InstanceGUID string // private_instance_id
}

// Message is a router.register (Register true) or router.unregister for one URI.
type Message struct {
	Register bool
	URI      string // lower-cased "host.domain" or "host.domain/path"
	Endpoint Endpoint
}

// Event is a message as one router applied it, recorded so tests and the benchmark can see exactly
// when each router learned each change.
type Event struct {
	Router  int       // router index
	Applied time.Time // when this router applied it
	Sent    time.Time // when the emitter sent it
	Message Message
}

// Options configures a Fleet. The zero value gives three routers with no lag.
type Options struct {
	Routers int // default 3
	// Each router has two lags, one for registrations and one for removals, each drawn once,
	// uniformly, from [LagMin, LagMax]. LagMax defaults to LagMin when zero, so setting LagMin
	// alone gives every router that lag for both kinds of message.
	LagMin, LagMax time.Duration
	Rand           *rand.Rand // optional, for reproducible lags
	// ProcessInstanceHeader honours X-CF-Process-Instance (routers after 2025-03); false ignores it
	// and passes it through to the backend, like older routers.
	ProcessInstanceHeader bool
	MaxAttempts           int // default 3 (router.backends.max_attempts)
	// AccessLog, if set, receives each proxied request's access log line, which gorouter
	// sends to the app's logs. It is called after the answer, on the request's goroutine.
	AccessLog func(AccessLogRecord)
}

const (
	defaultRouters     = 3
	defaultMaxAttempts = 3
)

// withDefaults fills in the zero fields, so callers only set what a test cares about.
func (o Options) withDefaults() Options {
	if o.Routers == 0 {
		o.Routers = defaultRouters
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = defaultMaxAttempts
	}
	if o.LagMax == 0 {
		o.LagMax = o.LagMin
	}
	return o
}

// validate rejects options that would otherwise surface as odd behaviour later.
func (o Options) validate() error {
	switch {
	case o.Routers < 1:
		return fmt.Errorf("router options: Routers must be at least 1, got %d", o.Routers)
	case o.MaxAttempts < 1:
		return fmt.Errorf("router options: MaxAttempts must be at least 1, got %d", o.MaxAttempts)
	case o.LagMin < 0:
		return fmt.Errorf("router options: LagMin must not be negative, got %s", o.LagMin)
	case o.LagMax < o.LagMin:
		return fmt.Errorf("router options: LagMax (%s) must not be less than LagMin (%s)", o.LagMax, o.LagMin)
	}
	return nil
}

// routerLags are one router's two lags.
type routerLags struct {
	registration, removal time.Duration
}

// drawLags picks each router's lags once, so a router is consistently fast or slow for each kind
// of message. Router i's registration lag is drawn before its removal lag, so a seeded Rand
// always gives the same lags.
func (o Options) drawLags() []routerLags {
	lags := make([]routerLags, o.Routers)
	for i := range lags {
		lags[i].registration = o.drawLag()
		lags[i].removal = o.drawLag()
	}
	return lags
}

func (o Options) drawLag() time.Duration {
	span := int64(o.LagMax - o.LagMin)
	if span <= 0 {
		return o.LagMin
	}
	return o.LagMin + time.Duration(o.int64N(span+1))
}

func (o Options) int64N(n int64) int64 {
	if o.Rand != nil {
		return o.Rand.Int64N(n)
	}
	return rand.Int64N(n)
}
