package router

import (
	"fmt"
	"sync"
	"time"
)

// LBURL is the load balancer's base URL, "http://127.0.0.1:NNNN".
func (f *Fleet) LBURL() string { return f.lbURL }

// RouterURLs are the routers' base URLs, by router index, for probing one router directly.
func (f *Fleet) RouterURLs() []string { return append([]string(nil), f.urls...) }

// Publish is the route-emitter's NATS publish: every router applies m after its own lag for m's
// kind. Each router applies registrations in the order Publish was called, and removals in the
// order Publish was called, but a removal may overtake an earlier registration (or the reverse)
// when its lag is shorter. For any one endpoint (URI and Address) the table still ends as if
// that endpoint's messages were applied in publish order: applying a message drops the other
// kind's still-pending messages for the endpoint that were published before it.
func (f *Fleet) Publish(m Message) {
	// One publisher at a time, so every router queues concurrent publishes in the same order,
	// as NATS delivers one connection's messages.
	f.publishMu.Lock()
	defer f.publishMu.Unlock()
	sent := time.Now()
	for _, rt := range f.routers {
		rt.queue.push(m, sent)
	}
}

// Lags reports each router's current registration lag.
func (f *Fleet) Lags() []time.Duration { return f.lags(true) }

// RemovalLags reports each router's current removal (router.unregister) lag.
func (f *Fleet) RemovalLags() []time.Duration { return f.lags(false) }

func (f *Fleet) lags(register bool) []time.Duration {
	lags := make([]time.Duration, len(f.routers))
	for i, rt := range f.routers {
		lags[i] = rt.queue.getLag(register)
	}
	return lags
}

// SetLag changes one router's registration lag for registrations published from now on. Queued
// ones keep their due time, and no registration is applied before the ones published earlier.
func (f *Fleet) SetLag(router int, d time.Duration) {
	f.router(router).queue.setLag(true, d)
}

// SetRemovalLag changes one router's removal lag for removals published from now on. Queued ones
// keep their due time, and no removal is applied before the ones published earlier.
func (f *Fleet) SetRemovalLag(router int, d time.Duration) {
	f.router(router).queue.setLag(false, d)
}

// SetProcessInstanceHeader switches X-CF-Process-Instance support on every router.
func (f *Fleet) SetProcessInstanceHeader(on bool) { f.processHeader.Store(on) }

// Events returns a copy of the log of applied messages, in the order they were applied. Messages
// dropped as out of date (see Publish) were never applied, so they are not in it.
func (f *Fleet) Events() []Event { return f.events.copy() }

// Table returns a snapshot of one router's routing table, keyed by route.
func (f *Fleet) Table(router int) map[string][]Endpoint {
	return f.router(router).table.snapshot()
}

// router panics on a bad index: it is a bug in the calling test, not a runtime condition.
func (f *Fleet) router(i int) *router {
	if i < 0 || i >= len(f.routers) {
		panic(fmt.Sprintf("router: no router %d in a fleet of %d", i, len(f.routers)))
	}
	return f.routers[i]
}

// eventLog records applied messages in applied order.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

// record stamps the event under the lock, so the log's order and its Applied times agree.
func (l *eventLog) record(router int, d delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, Event{Router: router, Applied: time.Now(), Sent: d.sent, Message: d.msg})
}

func (l *eventLog) copy() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}
