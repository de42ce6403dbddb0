package poll_test

import (
	"context"
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

func pauses(b *poll.Backoff, n int) []time.Duration {
	var out []time.Duration
	for range n {
		out = append(out, b.Next())
	}
	return out
}

var _ = Describe("Backoff", func() {
	It("reads soon at first, then 1.25 times later each time, up to a second", func() {
		got := pauses(poll.New(), 17)
		Expect(got[:4]).To(Equal([]time.Duration{
			40 * time.Millisecond, 50 * time.Millisecond, 62500 * time.Microsecond, 78125 * time.Microsecond,
		}))
		for i := 1; i < 15; i++ {
			Expect(got[i]).To(BeNumerically("~", got[i-1]*5/4, time.Nanosecond), "pause %d", i)
		}
		Expect(got[15:]).To(Equal([]time.Duration{time.Second, time.Second}))
	})

	It("sees a wait's end at most a quarter of its length and the first pause late", func() {
		for _, end := range []time.Duration{100 * time.Millisecond, 580 * time.Millisecond, 3 * time.Second, 30 * time.Second} {
			b, seen := poll.New(), time.Duration(0)
			for seen < end {
				seen += b.Next()
			}
			Expect(seen).To(BeNumerically("<=", end*5/4+poll.First), "a wait of %s", end)
		}
	})

	It("reads 17 times in a wait of 5 seconds and 42 in 30 (the first read at once), where a fixed 250 ms read 21 and 121", func() {
		reads := func(wait time.Duration) int {
			b, elapsed, n := poll.New(), time.Duration(0), 1
			for elapsed < wait {
				elapsed += b.Next()
				n++
			}
			return n
		}
		Expect(reads(5 * time.Second)).To(Equal(17))
		Expect(reads(30 * time.Second)).To(Equal(42))
	})

	It("stays under its ceiling when capped", func() {
		Expect(pauses(poll.Capped(70*time.Millisecond), 4)).To(Equal([]time.Duration{
			40 * time.Millisecond, 50 * time.Millisecond, 62500 * time.Microsecond, 70 * time.Millisecond,
		}))
		Expect(pauses(poll.Capped(10*time.Millisecond), 2)).To(Equal([]time.Duration{10 * time.Millisecond, 10 * time.Millisecond}))
	})

	It("starts over after a reset", func() {
		b := poll.New()
		pauses(b, 5)
		b.Reset()
		Expect(b.Next()).To(Equal(poll.First))
	})

	It("returns the context's cause when the context ends during a pause", func() {
		ctx, cancel := context.WithCancelCause(context.Background())
		b := poll.Capped(time.Hour)
		pauses(b, 10)
		cause := errors.New("terminated")
		time.AfterFunc(10*time.Millisecond, func() { cancel(cause) })
		start := time.Now()
		Expect(b.Wait(ctx)).To(MatchError(cause))
		Expect(time.Since(start)).To(BeNumerically("<", time.Second))
	})

	It("returns nil after a pause", func() {
		Expect(poll.New().Wait(context.Background())).To(Succeed())
	})
})
