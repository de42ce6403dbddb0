package cfsim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// Fault makes matching Cloud Controller or UAA requests misbehave. Path is a regular
// expression matched against the URL path; Method "" matches every method.
type Fault struct {
	Method  string        `json:"method,omitempty"`
	Path    string        `json:"path"`
	Rate    float64       `json:"rate,omitempty"`    // probability per matching request; 0 means always
	Times   int           `json:"times,omitempty"`   // inject at most this many times; 0 = unbounded
	Status  int           `json:"status,omitempty"`  // answer with this status and a CC error body
	Latency time.Duration `json:"latency,omitempty"` // delay before handling
	Drop    bool          `json:"drop,omitempty"`    // close the connection without an answer
	After   bool          `json:"after,omitempty"`   // let CC do the work, then lose the answer
}

type activeFault struct {
	Fault
	re       *regexp.Regexp
	injected int
}

type faults struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rules []*activeFault
}

func newFaults(seed uint64) *faults {
	return &faults{rng: rand.New(rand.NewPCG(seed, 11))}
}

// Add installs a fault rule.
func (f *faults) Add(rule Fault) error {
	re, err := regexp.Compile(rule.Path)
	if err != nil {
		return fmt.Errorf("fault path %q: %w", rule.Path, err)
	}
	if rule.Status == 0 && !rule.Drop && rule.Latency == 0 {
		rule.Status = http.StatusBadGateway
	}
	f.mu.Lock()
	f.rules = append(f.rules, &activeFault{Fault: rule, re: re})
	f.mu.Unlock()
	return nil
}

// Clear removes every fault rule.
func (f *faults) Clear() {
	f.mu.Lock()
	f.rules = nil
	f.mu.Unlock()
}

// pick returns the faults that fire for this request, counting them.
func (f *faults) pick(r *http.Request) []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	var fired []Fault
	for _, rule := range f.rules {
		if (rule.Method != "" && rule.Method != r.Method) || !rule.re.MatchString(r.URL.Path) {
			continue
		}
		if rule.Times > 0 && rule.injected >= rule.Times {
			continue
		}
		if rule.Rate > 0 && f.rng.Float64() >= rule.Rate {
			continue
		}
		rule.injected++
		fired = append(fired, rule.Fault)
	}
	return fired
}

// middleware applies the faults that fire; it reports whether one changed the answer.
func (f *faults) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, rule := range f.pick(r) {
			if rule.Latency > 0 {
				select {
				case <-time.After(rule.Latency):
				case <-r.Context().Done():
					return
				}
			}
			if rule.Drop {
				markInjected(r)
				dropConnection(w, r, next, rule.After)
				return
			}
			if rule.Status != 0 {
				markInjected(r)
				if rule.After {
					next.ServeHTTP(&discardWriter{header: http.Header{}}, r)
				}
				writeError(w, injectedError(rule.Status))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func injectedError(status int) *ccError {
	switch status {
	case http.StatusServiceUnavailable:
		return &ccError{status, "Database connection failure", "CF-ServiceUnavailable", 10015}
	case http.StatusTooManyRequests:
		return &ccError{status, "Rate Limit Exceeded", "CF-RateLimitExceeded", 10013}
	default:
		return &ccError{status, "An unknown error occurred.", "UnknownError", 10001}
	}
}

func dropConnection(w http.ResponseWriter, r *http.Request, next http.Handler, after bool) {
	if after {
		next.ServeHTTP(&discardWriter{header: http.Header{}}, r)
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// discardWriter lets CC do the work of a request whose answer the fault then loses.
type discardWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return d.body.Write(b) }
func (d *discardWriter) WriteHeader(int)             {}
