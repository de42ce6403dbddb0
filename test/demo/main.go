// Command demo starts a simulated foundation with three routers that each learn routes 200 ms
// to 2 s late, and shows what the resource exists to fix: a cutover that unmaps the old app
// as soon as CC accepted the new mapping drops requests while routers catch up.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	sim, err := cfsim.Start(cfsim.Config{Routers: 3, RouteLagMin: 200 * time.Millisecond, RouteLagMax: 2 * time.Second})
	if err != nil {
		return err
	}
	defer sim.Close()
	info := sim.Info()
	fmt.Printf("cfsim: api %s, load balancer %s\n", info.APIURL, info.LBURL)
	fmt.Printf("routers learn registrations after %v and removals after %v\n",
		round(sim.Routers().Lags()), round(sim.Routers().RemovalLags()))
	p, zip, err := setup(ctx, info)
	if err != nil {
		return err
	}
	defer os.RemoveAll(zip[:strings.LastIndex(zip, "/")])
	v1, v2, err := pushBoth(ctx, p, zip, info.Domain)
	if err != nil {
		return err
	}
	host := "demo." + info.Domain
	if err := waitServing(info.RouterURLs, host, 20*time.Second); err != nil {
		return err
	}
	load := startLoad(info.LBURL, host, 6*time.Second)
	time.Sleep(time.Second)
	fmt.Println("script-style cutover (as cf-blue-green-deploy does): map the route to v2, unmap v1, delete v1, trusting CC's answers")
	if err := naiveCutover(ctx, p.CF, v1.GUID, v2.GUID, host); err != nil {
		return err
	}
	res := load.wait()
	res.print()
	fmt.Println("cf-bluegreen-resource's out verifies every router before it unmaps (issue 3); until it lands, this demo shows the problem.")
	return nil
}

func round(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func setup(ctx context.Context, info cfsim.Info) (*cfpush.Pusher, string, error) {
	cf, err := cfpush.Login(info.APIURL, info.Username, info.Password)
	if err != nil {
		return nil, "", err
	}
	p, err := cfpush.NewPusher(ctx, cf, info.Space, info.Domain)
	if err != nil {
		return nil, "", err
	}
	dir, err := os.MkdirTemp("", "demo-")
	if err != nil {
		return nil, "", err
	}
	zip, err := cfpush.BuildVersioned(".", dir)
	return p, zip, err
}

func pushBoth(ctx context.Context, p *cfpush.Pusher, zip, domain string) (*resource.App, *resource.App, error) {
	v1, _, err := p.Push(ctx, cfpush.App{Name: "demo", Version: "v1", Instances: 2}, zip, true)
	if err != nil {
		return nil, nil, err
	}
	v2, _, err := p.Push(ctx, cfpush.App{Name: "demo-v2", Version: "v2", Instances: 2, NoRoute: true}, zip, true)
	if err != nil {
		return nil, nil, err
	}
	fmt.Println("pushed demo (v1, on demo." + domain + ") and demo-v2 (v2, no route yet)")
	return v1, v2, waitRunning(ctx, p.CF, v2.GUID)
}

func waitRunning(ctx context.Context, cf *client.Client, appGUID string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		stats, err := cf.Processes.GetStatsForApp(ctx, appGUID, "web")
		if err == nil && len(stats.Stats) > 0 && allRunning(stats) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("app %s never ran", appGUID)
}

func allRunning(stats *resource.ProcessStats) bool {
	for _, s := range stats.Stats {
		if s.State != "RUNNING" {
			return false
		}
	}
	return true
}

// waitServing waits until every router serves the host, so the load starts clean.
func waitServing(routers []string, host string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for _, r := range routers {
		for status, _ := request(r, host); status != http.StatusOK; status, _ = request(r, host) {
			if time.Now().After(deadline) {
				return fmt.Errorf("%s never served through %s", host, r)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// naiveCutover is what the blue-green scripts do: map, unmap, delete, trusting the 201,
// the 204 and the 202.
func naiveCutover(ctx context.Context, cf *client.Client, oldApp, newApp, host string) error {
	opts := client.NewRouteListOptions()
	opts.Hosts.EqualTo(strings.SplitN(host, ".", 2)[0])
	route, err := cf.Routes.Single(ctx, opts)
	if err != nil {
		return err
	}
	if _, err := cf.Routes.InsertDestinations(ctx, route.GUID,
		[]*resource.RouteDestinationInsertOrReplace{resource.NewRouteDestinationInsertOrReplace(newApp)}); err != nil {
		return err
	}
	dests, err := cf.Routes.GetDestinations(ctx, route.GUID)
	if err != nil {
		return err
	}
	for _, d := range dests.Destinations {
		if *d.App.GUID == oldApp {
			if err := cf.Routes.RemoveDestination(ctx, route.GUID, *d.GUID); err != nil {
				return err
			}
		}
	}
	_, err = cf.Applications.Delete(ctx, oldApp)
	return err
}

var httpClient = &http.Client{Timeout: 2 * time.Second}

func request(lb, host string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, lb+"/", nil)
	req.Host = host
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	version := resp.Header.Get("X-App-Version")
	if e := resp.Header.Get("X-Cf-Routererror"); e != "" {
		version = e
	}
	return resp.StatusCode, version
}

// load sends one request every 10 ms for a bounded time and tallies the answers.
type load struct {
	mu      sync.Mutex
	sent    int
	failed  int
	answers map[string]int
	done    chan struct{}
}

func startLoad(lb, host string, d time.Duration) *load {
	l := &load{answers: map[string]int{}, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		end := time.Now().Add(d)
		for i := 0; i < 2000 && time.Now().Before(end); i++ {
			status, version := request(lb, host)
			l.mu.Lock()
			l.sent++
			if status != http.StatusOK {
				l.failed++
			}
			l.answers[fmt.Sprintf("%d %s", status, version)]++
			l.mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return l
}

func (l *load) wait() *load {
	<-l.done
	return l
}

func (l *load) print() {
	fmt.Printf("load through the load balancer: %d requests sent, %d failed\n", l.sent, l.failed)
	keys := make([]string, 0, len(l.answers))
	for k := range l.answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %5d x %s\n", l.answers[k], k)
	}
}
