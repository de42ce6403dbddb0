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
}

// queue holds one router's pending messages. The runner only ever applies the head, so a message
// never overtakes an earlier one, even when a shortened lag makes it due sooner.
type queue struct {
	mu    sync.Mutex
	lag   time.Duration
	items []delivery
	wake  chan struct{} // capacity 1: a pending wake-up is enough, the runner rereads the head
}

func newQueue(lag time.Duration) *queue {
	return &queue{lag: lag, wake: make(chan struct{}, 1)}
}

// push enqueues m, due one lag after it was sent.
func (q *queue) push(m Message, sent time.Time) {
	q.mu.Lock()
	q.items = append(q.items, delivery{msg: m, sent: sent, due: sent.Add(q.lag)})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) setLag(d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lag = d
}

func (q *queue) getLag() time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.lag
}

// pop removes and returns the head if it is due at now. Otherwise it reports how long until the
// head is due, or ok=false with an empty queue.
func (q *queue) pop(now time.Time) (d delivery, wait time.Duration, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return delivery{}, 0, false
	}
	head := q.items[0]
	if wait := head.due.Sub(now); wait > 0 {
		return delivery{}, wait, true
	}
	q.items[0] = delivery{}
	q.items = q.items[1:]
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
