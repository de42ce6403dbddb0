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
	It("reads soon at first, then 1.5 times later each time, up to a second", func() {
		Expect(pauses(poll.New(), 11)).To(Equal([]time.Duration{
			40 * time.Millisecond, 60 * time.Millisecond, 90 * time.Millisecond, 135 * time.Millisecond,
			202500 * time.Microsecond, 303750 * time.Microsecond, 455625 * time.Microsecond,
			683437500 * time.Nanosecond, time.Second, time.Second, time.Second,
		}))
	})

	It("reads 13 times in a wait of 5 seconds (the first read at once), where a fixed 250 ms read 21 times", func() {
		b, elapsed, reads := poll.New(), time.Duration(0), 1
		for elapsed < 5*time.Second {
			elapsed += b.Next()
			reads++
		}
		Expect(reads).To(Equal(13))
	})

	It("stays under its ceiling when capped", func() {
		Expect(pauses(poll.Capped(100*time.Millisecond), 4)).To(Equal([]time.Duration{
			40 * time.Millisecond, 60 * time.Millisecond, 90 * time.Millisecond, 100 * time.Millisecond,
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
