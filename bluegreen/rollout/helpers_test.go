package rollout_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/rollout"
)

const (
	appName = "shop"
	liveURL = "shop.apps.example.com"

	annApp      = "cf-bluegreen-resource/app"
	annDeployed = "cf-bluegreen-resource/deployed-at"
	roleKey     = "cf-bluegreen-resource/role"
)

// The fake foundation's types and call-log readers, under the names the specs use.
type fakeApp = fakecf.App

var first, last, count = fakecf.First, fakecf.Last, fakecf.Count

// renderer renders the manifest entry as the real one does, for the fake's apply_manifest.
type renderer struct{}

func (renderer) Render(name string, routes []string, env map[string]string) ([]byte, error) {
	app := map[string]any{"name": name, "env": env}
	var rs []map[string]string
	for _, r := range routes {
		rs = append(rs, map[string]string{"route": r})
	}
	app["routes"] = rs
	return yaml.Marshal(map[string]any{"applications": []any{app}})
}

// world is one foundation, its routers, and the options of a deployment there.
type world struct {
	cf   *fakecf.Foundation
	pr   *fakecf.Prober
	plan rollout.Options
	out  *bytes.Buffer
	tl   *bluegreen.Timeline
}

func newWorld() *world {
	f := fakecf.New("acme", "prod")
	return &world{cf: f, pr: fakecf.NewProber(f), out: &bytes.Buffer{}, plan: rollout.Options{
		Target: bluegreen.Target{App: appName, Org: "acme", Space: "prod"},
		Push: bluegreen.Push{Manifest: renderer{}, Bits: bluegreen.Bits{
			Zip: func(w io.Writer) error { _, err := w.Write([]byte("PK")); return err }}},
		Timeouts: bluegreen.Timeouts{Staging: 2 * time.Second, Startup: 2 * time.Second, Verify: 2 * time.Second,
			Overall: 6 * time.Second, Lease: time.Second},
		Build: bluegreen.Build{"build-team": "main", "build-name": "42"},
	}}
}

// seedLive adds the live app as an earlier deploy left it, mapped to the given routes.
func (w *world) seedLive(instances int, urls ...string) *fakeApp {
	a := w.cf.SeedApp(appName, instances, map[string]string{roleKey: "live"},
		map[string]string{annApp: appName, annDeployed: bluegreen.Timestamp(time.Now().Add(-time.Hour))})
	for _, u := range urls {
		w.cf.SeedRoute(u, a.GUID)
	}
	return a
}

// rollingWorld is a world whose live app serves liveURL with 2 instances, deployed rolling at
// maxInFlight, CAPI finishing each deployment, with the timeline in w.out.
func rollingWorld(maxInFlight int) (*world, *fakeApp) {
	w := newWorld()
	live := w.seedLive(2, liveURL)
	w.plan.Strategy, w.plan.MaxInFlight = platform.StrategyRolling, maxInFlight
	w.cf.Finishes = true
	w.tl = bluegreen.NewTimeline(w.out)
	return w, live
}

// oldProcessOf is the web process the fake gives a seeded app.
func oldProcessOf(live *fakeApp) string { return "process-of-" + live.GUID }

// errSignal is the cause os/signal gives the context it cancels on SIGTERM.
var errSignal = errors.New("terminated signal received")

const abortedBy = "aborted (terminated signal received) at "

// roll runs a deployment with an abort armed after d, as SIGTERM would cancel out's context.
func (w *world) roll(d time.Duration) (bluegreen.Result, error) {
	w.tl = bluegreen.NewTimeline(w.out)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	time.AfterFunc(d, func() { cancel(errSignal) })
	return rollout.Rollout(ctx, w.cf, w.pr, w.plan, w.tl)
}

// inOrder asserts that each index is a call that happened (>= 0) and that they increase.
func inOrder(what string, idx ...int) {
	ExpectWithOffset(1, fakecf.CheckOrder(what, idx...)).To(Succeed())
}

// deployRolling runs a deployment once, bounded.
func deployRolling(w *world) (bluegreen.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return rollout.Rollout(ctx, w.cf, w.pr, w.plan, w.tl)
}
