// Package analysis judges a new version by what the routers measured of its requests: its
// share of answers that were not a 5xx and a percentile of its latency, against absolute
// thresholds and against the old version measured alongside (or just before). Each interval
// gets one decision: pass, fail, or inconclusive when too few requests reached the new
// version to mean anything; the caller's own probes decide those, so a quiet app neither
// fails nor hangs for want of traffic, and a busy one rolls back only when clearly worse.
//
// Judge is the pure decision; Runner reads the metrics every interval, asks the probes when a
// decision is inconclusive, logs one line per interval and stops at the first failure.
package analysis

import "time"

// Defaults for the settings a Config leaves at zero.
const (
	DefaultInterval    = 10 * time.Second
	DefaultMinRequests = 20
	DefaultPercentile  = 95.0
)

// Config is what an analysis judges. Every threshold is optional (zero leaves it unset); at
// least one must be set. The params' validation (package resource) keeps the values in range.
type Config struct {
	Interval    time.Duration // each decision's window; DefaultInterval when zero
	MinRequests int           // fewer new requests in a window: inconclusive; DefaultMinRequests when zero
	SuccessRate SuccessRate
	Latency     Latency
}

// SuccessRate bounds the new version's share of requests not answered with a 5xx.
type SuccessRate struct {
	Min     float64 // absolute, above 0 and at most 1
	MaxDrop float64 // relative: at most this far (0.01 = one point) below the old version's share
}

// Latency bounds a percentile of the new version's request durations.
type Latency struct {
	Percentile float64       // which one, above 0 and below 100; DefaultPercentile when zero
	Max        time.Duration // absolute
	MaxRatio   float64       // relative, 1 or more: at most this many times the old version's
}

// WithDefaults fills the settings left at zero.
func (c Config) WithDefaults() Config {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.MinRequests == 0 {
		c.MinRequests = DefaultMinRequests
	}
	if c.Latency.Percentile == 0 {
		c.Latency.Percentile = DefaultPercentile
	}
	return c
}

// HasThreshold reports whether anything is judged at all.
func (c Config) HasThreshold() bool {
	return c.SuccessRate.Min > 0 || c.Latency.Max > 0 || c.relative()
}

// relative reports thresholds that compare with the old version, which need a fair baseline.
func (c Config) relative() bool { return c.SuccessRate.MaxDrop > 0 || c.Latency.MaxRatio > 0 }
