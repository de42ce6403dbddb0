package candidate_test

import (
	"bytes"
	"context"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/candidate"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
)

const (
	appName     = "shop"
	orgName     = "acme"
	spaceName   = "prod"
	candName    = "shop-candidate"
	tempURL     = "shop-candidate-prod.apps.example.com"
	liveURL     = "shop.apps.example.com"
	internalURL = "shop.internal.apps.example.com"

	// The metadata keys the engine writes; the specs read them as CC would show them.
	roleKey     = "cf-bluegreen-resource/role"
	annApp      = "cf-bluegreen-resource/app"
	annDeployID = "cf-bluegreen-resource/deploy-id"
	annLease    = "cf-bluegreen-resource/lease-expires"
	annStep     = "cf-bluegreen-resource/step"
	annDeployed = "cf-bluegreen-resource/deployed-at"
)

var theBits = []byte("PK\x03\x04 pretend this is the app's zip")

// fakeManifest renders a cf manifest like manifest.App does (name, routes, env replaced) and
// records what it was asked for.
type fakeManifest struct {
	Instances int
	Memory    string
	Docker    string // docker.image, instead of buildpacks

	mu      sync.Mutex
	renders []rendered
}

type rendered struct {
	Name   string
	Routes []string
	Env    map[string]string
}

func (m *fakeManifest) Render(name string, routes []string, env map[string]string) ([]byte, error) {
	m.mu.Lock()
	m.renders = append(m.renders, rendered{Name: name, Routes: slices.Clone(routes), Env: maps.Clone(env)})
	m.mu.Unlock()
	app := map[string]any{"name": name, "buildpacks": []string{"go_buildpack"}}
	if m.Docker != "" {
		app = map[string]any{"name": name, "docker": map[string]string{"image": m.Docker, "username": "ci-bot"}}
	}
	if m.Instances > 0 {
		app["instances"] = m.Instances
	}
	if m.Memory != "" {
		app["memory"] = m.Memory
	}
	if len(routes) == 0 {
		app["no-route"] = true
	} else {
		var rs []map[string]string
		for _, r := range routes {
			rs = append(rs, map[string]string{"route": r})
		}
		app["routes"] = rs
	}
	if env != nil {
		app["env"] = env
	}
	return yaml.Marshal(map[string]any{"applications": []any{app}})
}

func (m *fakeManifest) Renders() []rendered {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.renders)
}

// world is one foundation, its routers, and a plan to deploy there.
type world struct {
	cf   *fakecf.Foundation
	pr   *fakecf.Prober
	m    *fakeManifest
	plan candidate.Options
	out  *bytes.Buffer
	tl   *bluegreen.Timeline
}

func newWorld() *world {
	f := fakecf.New(orgName, spaceName)
	m := &fakeManifest{Instances: 2, Memory: "256M"}
	return &world{
		cf: f, pr: fakecf.NewProber(f), m: m, out: &bytes.Buffer{},
		plan: candidate.Options{
			Target: bluegreen.Target{App: appName, Org: orgName, Space: spaceName},
			Push: bluegreen.Push{Manifest: m, Bits: bluegreen.Bits{
				Zip: func(w io.Writer) error { _, err := w.Write(theBits); return err }}},
			InheritEnv: true, KeepPrevious: 1, LeaseTTL: time.Second, Drain: 0,
			Timeouts: bluegreen.Timeouts{Staging: 2 * time.Second, Startup: 2 * time.Second, Verify: 2 * time.Second,
				Overall: 6 * time.Second, Lease: time.Second},
			Build: map[string]string{"build-team": "main", "build-pipeline": "shop", "build-name": "42"},
		},
	}
}

// deploy runs the engine once, bounded.
func (w *world) deploy() (bluegreen.Result, error) {
	w.tl = bluegreen.NewTimeline(w.out)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return candidate.Deploy(ctx, w.cf, w.pr, w.plan, w.tl)
}

// seedLive adds the live app as an earlier deploy left it, mapped to the given routes.
func (w *world) seedLive(instances int, urls ...string) *fakeApp {
	a := w.cf.SeedApp(appName, instances, map[string]string{roleKey: "live"},
		map[string]string{annApp: appName, annDeployed: time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)})
	for _, u := range urls {
		w.cf.SeedRoute(u, a.GUID)
	}
	return a
}

// seedCandidate adds a candidate an interrupted deploy left at step, its lease expiring at expires.
func (w *world) seedCandidate(step string, expires time.Time) *fakeApp {
	return w.cf.SeedApp(candName, 2, map[string]string{roleKey: "candidate"}, map[string]string{
		annApp: appName, annDeployID: "interrupted", annStep: step, annLease: expires.UTC().Format(time.RFC3339Nano)})
}

// The fake foundation's types and call-log readers, under the names the specs use.
type (
	fakeApp = fakecf.App
	Call    = fakecf.Call
)

var (
	first, last, count = fakecf.First, fakecf.Last, fakecf.Count
	mutations          = fakecf.Mutations
	mutating           = fakecf.Mutating
)

const spaceGUID = fakecf.SpaceGUID

// candidateOf is the guid of the candidate this deploy built: the first APP-candidate it created.
// (Not the app the bits went to: the upload starts in the background, and a manifest CC
// refuses at once may stop it before it is sent.)
func candidateOf(calls []Call) string {
	i := slices.IndexFunc(calls, func(c Call) bool {
		return (c.Method == "CreateApp" || c.Method == "CreateDockerApp") && c.Args[1] == candName && c.Created != ""
	})
	ExpectWithOffset(1, i).To(BeNumerically(">=", 0), "no candidate was created")
	return calls[i].Created
}

// inOrder asserts that each index is a call that happened (>= 0) and that they increase.
func inOrder(what string, idx ...int) {
	ExpectWithOffset(1, fakecf.CheckOrder(what, idx...)).To(Succeed())
}

func ptr[T any](v T) *T { return &v }
