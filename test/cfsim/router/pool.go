package router

import (
	"math/rand/v2"
	"sync"
	"time"
)

// failedEndpointTTL is how long a failed endpoint is skipped: droplet_stale_threshold / 4.
const failedEndpointTTL = 30 * time.Second

type member struct {
	Endpoint
	failedAt time.Time // zero while healthy
}

// pool is the set of endpoints behind one URI, balanced round-robin like gorouter's pool.
type pool struct {
	mu      sync.Mutex
	members []*member
	next    int // -1 until the first pick, which starts at a random index
}

func newPool(eps ...Endpoint) *pool {
	p := &pool{next: -1}
	for _, e := range eps {
		p.put(e)
	}
	return p
}

// put adds e, or replaces the endpoint with the same address in place (a re-register).
func (p *pool) put(e Endpoint) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.members {
		if m.Address == e.Address {
			m.Endpoint = e
			return
		}
	}
	p.members = append(p.members, &member{Endpoint: e})
}

// remove deletes the endpoint at addr and reports whether the pool is now empty.
func (p *pool) remove(addr string) (empty bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, m := range p.members {
		if m.Address == addr {
			p.members = append(p.members[:i], p.members[i+1:]...)
			break
		}
	}
	return len(p.members) == 0
}

func (p *pool) endpoints() []Endpoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	eps := make([]Endpoint, len(p.members))
	for i, m := range p.members {
		eps[i] = m.Endpoint
	}
	return eps
}

// pick returns the next endpoint round-robin, skipping endpoints that failed within
// failedEndpointTTL. When every endpoint has failed it forgets the failures and tries anyway,
// as gorouter does, rather than refuse the request outright.
func (p *pool) pick(now time.Time) (Endpoint, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.members)
	if n == 0 {
		return Endpoint{}, false
	}
	switch {
	case p.next < 0:
		p.next = rand.IntN(n)
	case p.next >= n: // the pool shrank since the last pick
		p.next = 0
	}
	for i := range n {
		idx := (p.next + i) % n
		if p.members[idx].usable(now) {
			p.next = (idx + 1) % n
			return p.members[idx].Endpoint, true
		}
	}
	for _, m := range p.members {
		m.failedAt = time.Time{}
	}
	m := p.members[p.next]
	p.next = (p.next + 1) % n
	return m.Endpoint, true
}

func (m *member) usable(now time.Time) bool {
	return m.failedAt.IsZero() || now.Sub(m.failedAt) >= failedEndpointTTL
}

// markFailed records that addr refused a connection, so the next picks skip it for a while.
func (p *pool) markFailed(addr string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.members {
		if m.Address == addr {
			m.failedAt = now
		}
	}
}
