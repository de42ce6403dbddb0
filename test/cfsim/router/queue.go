package router

import (
	"context"
	"sync"
	"time"
)

// delivery is one message waiting in a router's queue.
type delivery struct {
	msg  Message
	sent time.Time
	due  time.Time
	seq  uint64 // publish order, to tell which of two messages for one endpoint came first
	key  endpointKey
}

// endpointKey identifies one endpoint of one route, as gorouter's registry does: the normalised
// route and host:port. The per-endpoint rules compare messages by it.
type endpointKey struct {
	route, address string
}

func keyOf(m Message) endpointKey {
	return endpointKey{route: routeKey(m.URI), address: m.Endpoint.Address}
}

// stream is one FIFO of messages of one kind (registrations or removals) with its own lag.
type stream struct {
	lag   time.Duration
	items []delivery
}

// shift drops the head, clearing it first so the backing array does not keep the message alive.
func (s *stream) shift() {
	s.items[0] = delivery{}
	s.items = s.items[1:]
}

// dropBefore removes the pending messages for d's endpoint that were published before d: once d
// is applied they are out of date, and applying them later would undo a newer message.
func (s *stream) dropBefore(d delivery) {
	kept := s.items[:0]
	for _, it := range s.items {
		if it.key != d.key || it.seq > d.seq {
			kept = append(kept, it)
		}
	}
	clear(s.items[len(kept):])
	s.items = kept
}

// queue holds one router's pending messages in two independent streams, because registrations
// and removals reach a real router over different paths (see doc.go). The runner only ever
// applies a stream's head, so within a stream a message never overtakes an earlier one, even
// when a shortened lag makes it due sooner; across streams the earlier due time goes first.
type queue struct {
	mu            sync.Mutex
	registrations stream
	removals      stream
	seq           uint64
	wake          chan struct{} // capacity 1: a pending wake-up is enough, the runner rereads the heads
}

func newQueue(registrationLag, removalLag time.Duration) *queue {
	return &queue{
		registrations: stream{lag: registrationLag},
		removals:      stream{lag: removalLag},
		wake:          make(chan struct{}, 1),
	}
}

// streams returns the stream for messages of the given kind, and the other one. Callers hold mu.
func (q *queue) streams(register bool) (same, other *stream) {
	if register {
		return &q.registrations, &q.removals
	}
	return &q.removals, &q.registrations
}

// push enqueues m, due one lag of its kind after it was sent.
func (q *queue) push(m Message, sent time.Time) {
	q.mu.Lock()
	s, _ := q.streams(m.Register)
	q.seq++
	s.items = append(s.items, delivery{msg: m, sent: sent, due: sent.Add(s.lag), seq: q.seq, key: keyOf(m)})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// setLag changes the lag of one kind of message for messages pushed from now on.
func (q *queue) setLag(register bool, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	s, _ := q.streams(register)
	s.lag = d
}

func (q *queue) getLag(register bool) time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	s, _ := q.streams(register)
	return s.lag
}

// first returns the stream whose head falls due first, or nil when both are empty. On a tie the
// earlier-published head wins, so equal lags behave exactly like a single FIFO.
func (q *queue) first() *stream {
	reg, rem := &q.registrations, &q.removals
	switch {
	case len(reg.items) == 0 && len(rem.items) == 0:
		return nil
	case len(rem.items) == 0:
		return reg
	case len(reg.items) == 0:
		return rem
	}
	r, u := reg.items[0], rem.items[0]
	if r.due.Before(u.due) || (r.due.Equal(u.due) && r.seq < u.seq) {
		return reg
	}
	return rem
}

// pop removes and returns the next message if it is due at now, and drops the other stream's
// out-of-date messages for the same endpoint. Dropping here rather than in apply is safe because
// the runner is the only consumer and applies the message straight away. Otherwise pop reports
// how long until the next message is due, or ok=false with an empty queue.
func (q *queue) pop(now time.Time) (d delivery, wait time.Duration, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.first()
	if s == nil {
		return delivery{}, 0, false
	}
	head := s.items[0]
	if wait := head.due.Sub(now); wait > 0 {
		return delivery{}, wait, true
	}
	s.shift()
	_, other := q.streams(head.msg.Register)
	other.dropBefore(head)
	return head, 0, true
}

// run applies messages as they fall due until ctx is cancelled.
func (q *queue) run(ctx context.Context, apply func(delivery)) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d, wait, ok := q.pop(time.Now())
		if ok && wait == 0 {
			apply(d)
			continue
		}
		var due <-chan time.Time
		if ok {
			timer.Reset(wait)
			due = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-due:
		}
	}
}
