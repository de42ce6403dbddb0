package cf

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the PromQL window of a metrics query", func() {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		Expect(err).NotTo(HaveOccurred())
		return t
	}

	It("evaluates just after the end and reaches back to the start's whole second", func() {
		for _, c := range []struct{ start, end, time, rng string }{
			{"2026-01-01T00:00:01.2Z", "2026-01-01T00:00:03.1Z", "1767225603.102", "3s"},
			{"2026-01-01T00:00:01.2Z", "2026-01-01T00:00:06.2Z", "1767225606.202", "6s"},
			{"2026-01-01T00:00:00Z", "2026-01-01T00:00:30Z", "1767225630.002", "31s"},
			{"2026-01-01T00:00:05.9995Z", "2026-01-01T00:00:05.9999Z", "1767225606.001", "2s"},
			{"2026-01-01T00:00:05Z", "2026-01-01T00:00:05Z", "1767225605.002", "1s"},
			{"2026-01-01T00:00:04.5Z", "2026-01-01T00:00:05.998Z", "1767225606.001", "3s"},
		} {
			gotTime, gotRange := promqlWindow(at(c.start), at(c.end))
			Expect([]string{gotTime, gotRange}).To(Equal([]string{c.time, c.rng}), "%s to %s", c.start, c.end)
		}
	})
})
