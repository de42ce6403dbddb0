package fakecf

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Metrics: the fake's Log Cache holds the http timers of the requests its routers proxied,
// recorded with Served (or by Request, which routes as the routers would), and RequestStats
// answers from them as the real port's PromQL does: the window widened to its start's whole
// second, 5xx statuses counted as server errors, the percentile interpolated between the
// closest ranks (Prometheus' quantile), and an error naming Log Cache for an app it does not
// know.

// servedRequest is what gorouter's http timer records of one request.
type servedRequest struct {
	app, process string
	status       int
	took         time.Duration
	at           time.Time // when it was answered: the timer's time
}

// Served records that the routers proxied a request to the app's process, answered with
// status after d, at at.
func (f *Foundation) Served(appGUID, processGUID string, status int, d time.Duration, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.served = append(f.served, servedRequest{app: appGUID, process: processGUID, status: status, took: d, at: at})
}

// Request sends a request to the route URL as the routers would: to the started apps mapped
// there, round-robin over the instances of their current web processes. It records it as
// answered now with status after delay, and returns the process that answered; "" when no
// instance serves the route (the routers' 404 or 503, which reach no app and so no metrics).
func (f *Foundation) Request(url string, status int, delay time.Duration) string {
	f.dmu.Lock()
	defer f.dmu.Unlock()
	var backends [][2]string // app guid, process guid: one per instance
	for _, app := range f.startedOn(url) {
		for _, p := range f.current(app) {
			for range p.Instances {
				backends = append(backends, [2]string{app, p.GUID})
			}
		}
	}
	if len(backends) == 0 {
		return ""
	}
	b := backends[f.rr%len(backends)]
	f.rr++
	f.Served(b[0], b[1], status, delay, time.Now())
	return b[1]
}

// startedOn lists the guids of the started apps mapped to the route, sorted.
func (f *Foundation) startedOn(url string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	if r := f.routeByURL(url); r != nil {
		for g := range r.Dests {
			if a := f.apps[g]; a != nil && a.State == string(platform.AppStarted) {
				out = append(out, g)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (f *Foundation) RequestStats(_ context.Context, q platform.MetricsQuery) (platform.RequestStats, error) {
	return read(f, &f.mu, Call{Method: "RequestStats", Args: []string{q.AppGUID, q.ProcessGUID}}, func() (platform.RequestStats, error) {
		if err := q.Check(); err != nil {
			return platform.RequestStats{}, err
		}
		if f.apps[q.AppGUID] == nil {
			return platform.RequestStats{}, fmt.Errorf("read the requests of app %s from Log Cache: it serves this user no "+
				"metrics of the app (the app does not exist, or the user may not read its logs and metrics)", q.AppGUID)
		}
		var stats platform.RequestStats
		var took []float64
		from := q.Start.Truncate(time.Second)
		for _, r := range f.served {
			if r.app != q.AppGUID || (q.ProcessGUID != "" && r.process != q.ProcessGUID) || r.at.Before(from) || r.at.After(q.End) {
				continue
			}
			stats.Requests++
			if r.status >= 500 && r.status <= 599 {
				stats.ServerErrors++
			}
			took = append(took, float64(r.took))
		}
		if len(took) > 0 {
			stats.Latency = time.Duration(math.Round(quantile(q.Percentile/100, took)))
		}
		return stats, nil
	})
}

// quantile is Prometheus' φ-quantile of non-empty values: linear interpolation between the
// closest ranks.
func quantile(phi float64, vs []float64) float64 {
	sorted := slices.Clone(vs)
	sort.Float64s(sorted)
	rank := phi * float64(len(sorted)-1)
	lo := math.Floor(rank)
	hi := math.Min(lo+1, float64(len(sorted)-1))
	return sorted[int(lo)]*(1-(rank-lo)) + sorted[int(hi)]*(rank-lo)
}

// Every calls f(n) for n = 1, 2, ... every d until stop, which returns once f is done: the load a
// spec sends through the fake's routers (with Request or Served).
func Every(d time.Duration, f func(n int)) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-time.After(d):
				f(n)
			}
		}
	}()
	return func() { close(done); <-stopped }
}
