package cfsim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// newGUID returns a random lower-case version-4 UUID, the shape of every CC guid.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// newInstanceGUID returns a Diego-style instance guid: 8-4-4-4-4 hex groups, shorter than a
// UUID, as in the CC docs' stats example (docs/platform/apps-and-staging.md#process-stats; marked
// unverified there).
func newInstanceGUID() string {
	g := newGUID()
	return g[:28]
}

// timestamp formats a time as CC does: RFC 3339, UTC, whole seconds.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
