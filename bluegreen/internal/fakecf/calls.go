package fakecf

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Call is one entry of the log. Args are the identifying arguments in the interface's order
// (guids and names); for the prober they are the route (host+path) and the app guid.
type Call struct {
	Method         string
	Args           []string
	Labels         map[string]string  // CreateApp
	Annotations    map[string]string  // CreateApp
	UpdLabels      map[string]*string // Update
	UpdAnnotations map[string]*string // Update
	YAML           string             // ApplyManifest
	Created        string             // CreateApp, CreateDockerApp: the new app's guid, once made
	Err            error              // the injected fault, if any
}

func (c Call) String() string { return c.Method + "(" + strings.Join(c.Args, ", ") + ")" }

// record logs a call and returns the fault injected for it.
func (f *Foundation) record(c Call) (Call, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts[c.Method]++
	if byN := f.faults[c.Method]; byN != nil {
		if err, ok := byN[f.counts[c.Method]]; ok {
			c.Err = err
		} else if err, ok := byN[0]; ok {
			c.Err = err
		}
	}
	f.calls = append(f.calls, c)
	return c, c.Err
}

// locked records a call that changes the fake and, unless a fault answers it, runs change
// under the lock; the call's after-hook runs once the lock is released.
func (f *Foundation) locked(c Call, change func() error) error {
	c, err := f.record(c)
	if err != nil {
		return err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	return change()
}

func (f *Foundation) done(c Call) {
	f.mu.Lock()
	hook := f.after[c.Method]
	f.mu.Unlock()
	if hook != nil {
		hook(c)
	}
}

func (f *Foundation) newGUID(kind string) string {
	f.seq++
	return fmt.Sprintf("%s-%04d", kind, f.seq)
}

// ---- reading the log ----

// Mutating are the methods that change the foundation.
var Mutating = []string{"CreateApp", "CreateDockerApp", "Update", "DeleteApp", "Start", "Stop", "ApplyManifest", "Upload",
	"CreateDockerPackage", "Stage", "SetDroplet", "EnsureRoute", "Map", "Unmap", "DeleteRoute"}

// Matches reports whether c is method with args as a prefix of its Args ("" matches anything).
func (c Call) Matches(method string, args ...string) bool {
	if c.Method != method || len(args) > len(c.Args) {
		return false
	}
	for i, a := range args {
		if a != "" && c.Args[i] != a {
			return false
		}
	}
	return true
}

// first is the index of the first matching call that succeeded, or -1.
func First(calls []Call, method string, args ...string) int {
	for i, c := range calls {
		if c.Err == nil && c.Matches(method, args...) {
			return i
		}
	}
	return -1
}

// last is the index of the last matching call that succeeded, or -1.
func Last(calls []Call, method string, args ...string) int {
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Err == nil && calls[i].Matches(method, args...) {
			return i
		}
	}
	return -1
}

// count is how many matching calls succeeded.
func Count(calls []Call, method string, args ...string) int {
	n := 0
	for _, c := range calls {
		if c.Err == nil && c.Matches(method, args...) {
			n++
		}
	}
	return n
}

// Mutations lists the calls that changed the foundation.
func Mutations(calls []Call) []string {
	var out []string
	for _, c := range calls {
		if c.Err == nil && slices.Contains(Mutating, c.Method) {
			out = append(out, c.String())
		}
	}
	return out
}

// CheckOrder says whether each index is a call that happened (>= 0) and they increase.
func CheckOrder(what string, idx ...int) error {
	for i, n := range idx {
		if n < 0 {
			return fmt.Errorf("%s: call %d of the sequence never happened", what, i+1)
		}
		if i > 0 && n <= idx[i-1] {
			return fmt.Errorf("%s: call %d came before call %d", what, i+1, i)
		}
	}
	return nil
}

// read records a call that reads the fake and, unless a fault answers it, looks under mu (the
// foundation's or the deployments'); the call's after-hook runs once the lock is released.
func read[T any](f *Foundation, mu *sync.Mutex, c Call, look func() (T, error)) (T, error) {
	c, err := f.record(c)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.done(c)
	mu.Lock()
	defer mu.Unlock()
	return look()
}
