package fakecf

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// Prober answers from the fake platform's mappings as the routers would once they caught
// up: an app is present on a route iff it is mapped there, started, and runs at least the
// instances asked for; absent iff it is not mapped. It logs into the platform's call log, so
// verification can be ordered against the changes it verifies.
type Prober struct {
	p  *Foundation
	mu sync.Mutex
	// failures by app name (as it is named when probed) and route URL ("" = every route)
	failPresent, failAbsent map[[2]string]error
	// checkErr answers RunCheck by route URL ("" = every route); nil: the check passes
	checkErr map[string]error
	// processServes answers for X-CF-Process-Instance backends: the app the process belongs to,
	// and whether it is one of the app's current web processes.
	processServes func(processGUID string) (appGUID string, serving bool)
	// holdChecks makes RunCheck run until its context ends, as a check with many successes to
	// collect does.
	holdChecks bool
	// patient makes AwaitPresent and AwaitAbsent wait, as the real ones do, until the fake
	// platform gets to what they prove or their context ends, instead of answering at once.
	patient bool
}

// HoldChecks makes every check run until its context ends.
func (pr *Prober) HoldChecks() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.holdChecks = true
}

func NewProber(p *Foundation) *Prober {
	return &Prober{p: p, failPresent: map[[2]string]error{}, failAbsent: map[[2]string]error{},
		checkErr: map[string]error{}, processServes: p.serves}
}

// Patient makes AwaitPresent and AwaitAbsent wait until what they prove holds or their context
// ends, as the real prober does.
func (pr *Prober) Patient() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.patient = true
}

// FailPresent makes AwaitPresent fail for the app (by name) on the route URL ("" = any).
func (pr *Prober) FailPresent(app, url string, err error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.failPresent[[2]string{app, url}] = err
}

// FailAbsent makes AwaitAbsent fail for the app (by name) on the route URL ("" = any).
func (pr *Prober) FailAbsent(app, url string, err error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.failAbsent[[2]string{app, url}] = err
}

// FailCheck makes RunCheck fail on the route URL ("" = every route).
func (pr *Prober) FailCheck(url string, err error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.checkErr[url] = err
}

func (pr *Prober) injected(m map[[2]string]error, app, url string) error {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if err, ok := m[[2]string{app, url}]; ok {
		return err
	}
	return m[[2]string{app, ""}]
}

// state reads what the routers would see: the app's name, whether it is mapped to the route,
// and how many of its instances run.
func (pr *Prober) state(r probe.Route, appGUID string) (name string, mapped, started bool, running int) {
	f := pr.p
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.apps[appGUID]
	if a == nil {
		return "", false, false, 0
	}
	if route := f.routeByURL(r.Host + r.Path); route != nil {
		_, mapped = route.Dests[appGUID]
	}
	for _, s := range f.instanceStates(a) {
		if s == string(platform.InstanceRunning) {
			running++
		}
	}
	return a.Name, mapped, a.State == string(platform.AppStarted), running
}

func (pr *Prober) log(method string, r probe.Route, appGUID string, err error) {
	pr.p.mu.Lock()
	defer pr.p.mu.Unlock()
	pr.p.counts[method]++
	pr.p.calls = append(pr.p.calls, Call{Method: method, Args: []string{r.Host + r.Path, appGUID}, Err: err})
}

// backend resolves a process backend to its app; serving is false when the process is not one
// of the app's current web processes.
func (pr *Prober) backend(b probe.Backend) (appGUID, id string, serving bool) {
	if b.ProcessGUID == "" || pr.processServes == nil {
		return b.AppGUID, b.AppGUID, true
	}
	appGUID, serving = pr.processServes(b.ProcessGUID)
	return appGUID, b.ProcessGUID, serving
}

func (pr *Prober) AwaitPresent(ctx context.Context, r probe.Route, b probe.Backend) (probe.Result, error) {
	return pr.answer(ctx, "AwaitPresent", r, b, pr.present)
}

func (pr *Prober) AwaitAbsent(ctx context.Context, r probe.Route, b probe.Backend) (probe.Result, error) {
	return pr.answer(ctx, "AwaitAbsent", r, b, pr.absent)
}

// answer logs and answers one proof: at once, or when patient, once it holds or ctx ended.
func (pr *Prober) answer(ctx context.Context, method string, r probe.Route, b probe.Backend,
	check func(context.Context, probe.Route, probe.Backend) error) (probe.Result, error) {
	pr.mu.Lock()
	patient := pr.patient
	pr.mu.Unlock()
	err := check(ctx, r, b)
	for err != nil && patient && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
		err = check(ctx, r, b)
	}
	_, id, _ := pr.backend(b)
	pr.log(method, r, id, err)
	if err != nil {
		return probe.Result{}, err
	}
	return probe.Result{Probes: 3 * b.Instances, Elapsed: time.Millisecond}, nil
}

// present: the backend's app is mapped to the route, started, and runs its instances.
func (pr *Prober) present(ctx context.Context, r probe.Route, b probe.Backend) error {
	appGUID, id, serving := pr.backend(b)
	name, mapped, started, running := pr.state(r, appGUID)
	mapped = mapped && serving
	if err := pr.injected(pr.failPresent, name, r.Host+r.Path); err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case appGUID == "" || b.Instances < 1:
		return fmt.Errorf("fake prober: backend %+v cannot be verified", b)
	case !mapped || !started || running < b.Instances:
		return fmt.Errorf("not confirmed: %s (%s) on %s: mapped %t, started %t, %d of %d instances running",
			name, id, r, mapped, started, running, b.Instances)
	}
	return nil
}

// absent: the backend's app is not mapped to the route (or the process no longer serves).
func (pr *Prober) absent(ctx context.Context, r probe.Route, b probe.Backend) error {
	appGUID, id, serving := pr.backend(b)
	name, mapped, _, _ := pr.state(r, appGUID)
	mapped = mapped && serving
	if err := pr.injected(pr.failAbsent, name, r.Host+r.Path); err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case id == "" || b.Instances < 1:
		return fmt.Errorf("fake prober: backend %+v cannot be verified", b)
	case mapped:
		return fmt.Errorf("not confirmed gone: %s (%s) is still mapped to %s", name, id, r)
	}
	return nil
}

func (pr *Prober) RunCheck(ctx context.Context, r probe.Route, c probe.Check) (probe.CheckResult, error) {
	url := r.Host + r.Path
	pr.mu.Lock()
	err, ok := pr.checkErr[url]
	if !ok {
		err = pr.checkErr[""]
	}
	hold := pr.holdChecks
	pr.mu.Unlock()
	if hold {
		<-ctx.Done()
	}
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	pr.log("RunCheck", r, c.Path, err)
	if err != nil {
		return probe.CheckResult{Requests: 1, Failures: 1}, fmt.Errorf("check GET %s on route %s: %w", c.Path, url, err)
	}
	return probe.CheckResult{Requests: 3}, nil
}
