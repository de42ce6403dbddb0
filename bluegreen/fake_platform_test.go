package bluegreen_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// fakePlatform is an in-memory Cloud Controller behind bluegreen.Platform. It behaves like CC
// where the engine relies on it: app names are unique in a space (CreateApp answers
// cf.ErrNameTaken, a rename onto a taken name fails), Update always sets the name and a nil
// metadata value removes the key, apply-manifest creates or updates the named app and maps
// its routes, deleting an app removes its route mappings, an app needs a droplet to start.
// Every call, including the fake prober's, goes into one ordered log.
type fakePlatform struct {
	mu sync.Mutex

	space         cf.Space
	domains       map[string]string // name -> guid
	defaultDomain string
	apps          map[string]*fakeApp   // guid -> app
	routes        map[string]*fakeRoute // guid -> route
	packages      map[string]string     // package guid -> app guid
	routeHistory  map[string]string     // url -> guid of every route ever created
	seq           int

	calls  []Call
	counts map[string]int
	faults map[string]map[int]error // method -> call number (0 = every call) -> error
	after  map[string]func(Call)

	// Knobs.
	InstanceStates map[string][]string // app name -> instance states once started (default: all RUNNING)
	Crashes        map[string][]string // app name -> crash reasons, oldest first
	StageErr       error               // Stage fails with it
	StageHangs     bool                // Stage waits for its context and fails with its cause
	Free           cf.Headroom         // FreeMemory's answer (nil fields: unlimited)

	Collisions []string // renames or creations that hit a taken name
	Bits       map[string][]byte
}

type fakeApp struct {
	GUID, Name, State string
	Droplet           string
	Labels            map[string]string
	Annotations       map[string]string
	Env               map[string]string
	Instances         int
	MemoryMB          int
	Created           time.Time
}

type fakeRoute struct {
	GUID, Host, Path string
	DomainGUID       string
	Dests            map[string]string // app guid -> destination guid
}

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
	Err            error              // the injected fault, if any
}

func (c Call) String() string { return c.Method + "(" + strings.Join(c.Args, ", ") + ")" }

const (
	orgGUID   = "org-guid"
	spaceGUID = "space-guid"
)

func newFakePlatform(org, space string) *fakePlatform {
	return &fakePlatform{
		space: cf.Space{GUID: spaceGUID, Name: space, OrgGUID: orgGUID, OrgName: org},
		domains: map[string]string{
			"apps.example.com": "domain-apps", "internal.apps.example.com": "domain-internal",
		},
		defaultDomain:  "apps.example.com",
		apps:           map[string]*fakeApp{},
		routes:         map[string]*fakeRoute{},
		packages:       map[string]string{},
		routeHistory:   map[string]string{},
		counts:         map[string]int{},
		faults:         map[string]map[int]error{},
		after:          map[string]func(Call){},
		InstanceStates: map[string][]string{},
		Crashes:        map[string][]string{},
		Bits:           map[string][]byte{},
	}
}

// ---- knobs and inspection ----

// FailNth makes the nth call (1-based) of method fail with err; n 0 makes every call fail.
func (f *fakePlatform) FailNth(method string, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.faults[method] == nil {
		f.faults[method] = map[int]error{}
	}
	f.faults[method][n] = err
}

// After runs hook after every successful call of method has taken effect (outside the lock).
func (f *fakePlatform) After(method string, hook func(Call)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.after[method] = hook
}

// Calls is a copy of the log.
func (f *fakePlatform) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Count is how many calls of method were made.
func (f *fakePlatform) Count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[method]
}

// record logs a call and returns the fault injected for it.
func (f *fakePlatform) record(c Call) (Call, error) {
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
func (f *fakePlatform) locked(c Call, change func() error) error {
	c, err := f.record(c)
	if err != nil {
		return err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	return change()
}

func (f *fakePlatform) done(c Call) {
	f.mu.Lock()
	hook := f.after[c.Method]
	f.mu.Unlock()
	if hook != nil {
		hook(c)
	}
}

func (f *fakePlatform) newGUID(kind string) string {
	f.seq++
	return fmt.Sprintf("%s-%04d", kind, f.seq)
}

// AppNamed is the app of that name, or nil (a copy).
func (f *fakePlatform) AppNamed(name string) *fakeApp {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.byName(name); a != nil {
		return a.copy()
	}
	return nil
}

// AppByGUID is the app with that guid, or nil (a copy).
func (f *fakePlatform) AppByGUID(guid string) *fakeApp {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.apps[guid]; a != nil {
		return a.copy()
	}
	return nil
}

// AppNames lists every app's name, sorted.
func (f *fakePlatform) AppNames() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.apps {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

// RouteURLs lists every route's URL, sorted.
func (f *fakePlatform) RouteURLs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.routes {
		out = append(out, f.url(r))
	}
	sort.Strings(out)
	return out
}

// Mapped lists the URLs of the routes mapped to the app, sorted.
func (f *fakePlatform) Mapped(appGUID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{}
	for _, r := range f.routes {
		if _, ok := r.Dests[appGUID]; ok {
			out = append(out, f.url(r))
		}
	}
	sort.Strings(out)
	return out
}

// Serving lists the names of the started apps mapped to the route (by URL), sorted.
func (f *fakePlatform) Serving(url string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{}
	r := f.routeByURL(url)
	if r == nil {
		return out
	}
	for g := range r.Dests {
		if a := f.apps[g]; a != nil && a.State == "STARTED" {
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// RouteGUID is the guid of the route with that URL, or of the last one that had it, or "".
func (f *fakePlatform) RouteGUID(url string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.routeByURL(url); r != nil {
		return r.GUID
	}
	return f.routeHistory[url]
}

// ---- seeding ----

// SeedApp adds a started app with a droplet, like one an earlier deploy left.
func (f *fakePlatform) SeedApp(name string, instances int, labels, annotations map[string]string) *fakeApp {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := &fakeApp{GUID: f.newGUID("app"), Name: name, State: "STARTED", Droplet: f.newGUID("droplet"),
		Labels: maps.Clone(labels), Annotations: maps.Clone(annotations), Env: map[string]string{},
		Instances: instances, MemoryMB: 256, Created: time.Now().Add(-time.Hour)}
	if a.Labels == nil {
		a.Labels = map[string]string{}
	}
	if a.Annotations == nil {
		a.Annotations = map[string]string{}
	}
	f.apps[a.GUID] = a
	return a.copy()
}

// SetState sets an app's state directly (STARTED or STOPPED).
func (f *fakePlatform) SetState(guid, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apps[guid].State = state
}

// SetEnv sets an app's user-provided env directly.
func (f *fakePlatform) SetEnv(guid string, env map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apps[guid].Env = maps.Clone(env)
}

// SeedRoute adds a route (host.domain/path) and maps the given apps to it; it returns its guid.
func (f *fakePlatform) SeedRoute(url string, appGUIDs ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	host, domain, path, err := f.splitURL(url)
	if err != nil {
		panic(err)
	}
	r, _ := f.ensureRoute(f.domains[domain], host, path)
	for _, g := range appGUIDs {
		r.Dests[g] = f.newGUID("dest")
	}
	return r.GUID
}

// ---- internals (called with mu held) ----

func (a *fakeApp) copy() *fakeApp {
	c := *a
	c.Labels, c.Annotations, c.Env = maps.Clone(a.Labels), maps.Clone(a.Annotations), maps.Clone(a.Env)
	return &c
}

func (a *fakeApp) toCF() *cf.App {
	return &cf.App{GUID: a.GUID, Name: a.Name, State: a.State, DropletGUID: a.Droplet,
		Labels: maps.Clone(a.Labels), Annotations: maps.Clone(a.Annotations), Created: a.Created}
}

func (f *fakePlatform) byName(name string) *fakeApp {
	for _, a := range f.apps {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func (f *fakePlatform) domainName(guid string) string {
	for n, g := range f.domains {
		if g == guid {
			return n
		}
	}
	return ""
}

func (f *fakePlatform) url(r *fakeRoute) string {
	return r.Host + "." + f.domainName(r.DomainGUID) + r.Path
}

func (f *fakePlatform) toCF(r *fakeRoute) cf.Route {
	return cf.Route{GUID: r.GUID, Host: r.Host, Path: r.Path, URL: f.url(r), DomainGUID: r.DomainGUID,
		Dests: maps.Clone(r.Dests)}
}

func (f *fakePlatform) routeByURL(url string) *fakeRoute {
	for _, r := range f.routes {
		if f.url(r) == url {
			return r
		}
	}
	return nil
}

// splitURL splits host.domain/path on the longest known domain.
func (f *fakePlatform) splitURL(url string) (host, domain, path string, err error) {
	hostPart, p, _ := strings.Cut(url, "/")
	if p != "" {
		path = "/" + p
	}
	for n := range f.domains {
		if h, ok := strings.CutSuffix(hostPart, "."+n); ok && len(n) > len(domain) {
			host, domain = h, n
		}
	}
	if domain == "" {
		return "", "", "", fmt.Errorf("CF-UnprocessableEntity: no domain for route %q", url)
	}
	return host, domain, path, nil
}

func (f *fakePlatform) ensureRoute(domainGUID, host, path string) (*fakeRoute, error) {
	if f.domainName(domainGUID) == "" {
		return nil, fmt.Errorf("CF-UnprocessableEntity: domain %q does not exist", domainGUID)
	}
	for _, r := range f.routes {
		if r.DomainGUID == domainGUID && r.Host == host && r.Path == path {
			return r, nil
		}
	}
	r := &fakeRoute{GUID: f.newGUID("route"), Host: host, Path: path, DomainGUID: domainGUID, Dests: map[string]string{}}
	f.routes[r.GUID] = r
	f.routeHistory[f.url(r)] = r.GUID
	return r, nil
}

func (f *fakePlatform) app(guid string) (*fakeApp, error) {
	a := f.apps[guid]
	if a == nil {
		return nil, fmt.Errorf("CF-ResourceNotFound: app %s not found", guid)
	}
	return a, nil
}

func errUniqueness(name string) error {
	return fmt.Errorf("CF-UniquenessError: name %q must be unique in space", name)
}

// ---- bluegreen.Platform ----

func (f *fakePlatform) Space(_ context.Context, org, space string) (cf.Space, error) {
	c, err := f.record(Call{Method: "Space", Args: []string{org, space}})
	if err != nil {
		return cf.Space{}, err
	}
	defer f.done(c)
	if org != f.space.OrgName {
		return cf.Space{}, fmt.Errorf("organization %q: %w", org, cf.ErrNoOrg)
	}
	if space != f.space.Name {
		return cf.Space{}, fmt.Errorf("space %q in organization %q: %w", space, org, cf.ErrNoSpace)
	}
	return f.space, nil
}

func (f *fakePlatform) AppByName(_ context.Context, space, name string) (*cf.App, error) {
	c, err := f.record(Call{Method: "AppByName", Args: []string{space, name}})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.byName(name); a != nil {
		return a.toCF(), nil
	}
	return nil, nil
}

func (f *fakePlatform) App(_ context.Context, guid string) (*cf.App, error) {
	c, err := f.record(Call{Method: "App", Args: []string{guid}})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.apps[guid]; a != nil {
		return a.toCF(), nil
	}
	return nil, nil
}

func (f *fakePlatform) AppsWithLabel(_ context.Context, space, key, value string) ([]*cf.App, error) {
	c, err := f.record(Call{Method: "AppsWithLabel", Args: []string{space, key + "=" + value}})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*cf.App{}
	for _, a := range f.apps {
		if v, ok := a.Labels[key]; ok && v == value {
			out = append(out, a.toCF())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GUID < out[j].GUID })
	return out, nil
}

func (f *fakePlatform) CreateApp(_ context.Context, space, name string, labels, annotations map[string]string) (*cf.App, error) {
	c, err := f.record(Call{Method: "CreateApp", Args: []string{space, name},
		Labels: maps.Clone(labels), Annotations: maps.Clone(annotations)})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byName(name) != nil {
		return nil, cf.ErrNameTaken
	}
	a := &fakeApp{GUID: f.newGUID("app"), Name: name, State: "STOPPED", Labels: maps.Clone(labels),
		Annotations: maps.Clone(annotations), Env: map[string]string{}, Instances: 1, MemoryMB: 1024, Created: time.Now()}
	if a.Labels == nil {
		a.Labels = map[string]string{}
	}
	if a.Annotations == nil {
		a.Annotations = map[string]string{}
	}
	f.apps[a.GUID] = a
	return a.toCF(), nil
}

func (f *fakePlatform) Update(_ context.Context, guid, name string, labels, annotations map[string]*string) error {
	c, err := f.record(Call{Method: "Update", Args: []string{guid, name}, UpdLabels: labels, UpdAnnotations: annotations})
	if err != nil {
		return err
	}
	f.mu.Lock()
	a, err := f.app(guid)
	if err == nil && name == "" {
		err = errors.New("CF-UnprocessableEntity: Name can't be blank")
	}
	if err == nil && name != a.Name && f.byName(name) != nil {
		f.Collisions = append(f.Collisions, name)
		err = errUniqueness(name)
	}
	if err != nil {
		f.mu.Unlock()
		return err
	}
	a.Name = name
	for k, v := range labels {
		if v == nil {
			delete(a.Labels, k)
		} else {
			a.Labels[k] = *v
		}
	}
	for k, v := range annotations {
		if v == nil {
			delete(a.Annotations, k)
		} else {
			a.Annotations[k] = *v
		}
	}
	f.mu.Unlock()
	f.done(c)
	return nil
}

func (f *fakePlatform) DeleteApp(_ context.Context, guid string) error {
	return f.locked(Call{Method: "DeleteApp", Args: []string{guid}}, func() error {
		delete(f.apps, guid)
		for _, r := range f.routes {
			delete(r.Dests, guid)
		}
		return nil
	})
}

func (f *fakePlatform) Start(_ context.Context, guid string) error {
	return f.locked(Call{Method: "Start", Args: []string{guid}}, func() error {
		a, err := f.app(guid)
		if err != nil {
			return err
		}
		if a.Droplet == "" {
			return errors.New("CF-UnprocessableEntity: Assign a droplet before starting this app.")
		}
		a.State = "STARTED"
		return nil
	})
}

func (f *fakePlatform) Stop(_ context.Context, guid string) error {
	return f.locked(Call{Method: "Stop", Args: []string{guid}}, func() error {
		a, err := f.app(guid)
		if err != nil {
			return err
		}
		a.State = "STOPPED"
		return nil
	})
}

func (f *fakePlatform) EnvVars(_ context.Context, guid string) (map[string]string, error) {
	c, err := f.record(Call{Method: "EnvVars", Args: []string{guid}})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.app(guid)
	if err != nil {
		return nil, err
	}
	return maps.Clone(a.Env), nil
}

// manifestDoc is the part of a cf manifest the fake applies.
type manifestDoc struct {
	Applications []struct {
		Name      string            `yaml:"name"`
		Instances *int              `yaml:"instances"`
		Memory    string            `yaml:"memory"`
		NoRoute   bool              `yaml:"no-route"`
		Env       map[string]string `yaml:"env"`
		Routes    []struct {
			Route string `yaml:"route"`
		} `yaml:"routes"`
	} `yaml:"applications"`
}

// ApplyManifest creates or updates each named app: instances, memory, env (merged) and routes
// (added, as CC's manifest apply does).
func (f *fakePlatform) ApplyManifest(_ context.Context, space string, text []byte) error {
	c, err := f.record(Call{Method: "ApplyManifest", Args: []string{space}, YAML: string(text)})
	if err != nil {
		return err
	}
	defer f.done(c)
	var doc manifestDoc
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return fmt.Errorf("CF-UnprocessableEntity: manifest: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range doc.Applications {
		a := f.byName(m.Name)
		if a == nil {
			a = &fakeApp{GUID: f.newGUID("app"), Name: m.Name, State: "STOPPED", Labels: map[string]string{},
				Annotations: map[string]string{}, Env: map[string]string{}, Instances: 1, MemoryMB: 1024, Created: time.Now()}
			f.apps[a.GUID] = a
		}
		if m.Instances != nil {
			a.Instances = *m.Instances
		}
		if mb, ok := strings.CutSuffix(m.Memory, "M"); ok {
			_, _ = fmt.Sscan(mb, &a.MemoryMB)
		}
		for k, v := range m.Env {
			a.Env[k] = v
		}
		for _, r := range m.Routes {
			host, domain, path, err := f.splitURL(r.Route)
			if err != nil {
				return err
			}
			route, err := f.ensureRoute(f.domains[domain], host, path)
			if err != nil {
				return err
			}
			if _, ok := route.Dests[a.GUID]; !ok {
				route.Dests[a.GUID] = f.newGUID("dest")
			}
		}
	}
	return nil
}

func (f *fakePlatform) Upload(_ context.Context, appGUID string, write func(io.Writer) error) (string, error) {
	c, err := f.record(Call{Method: "Upload", Args: []string{appGUID}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return "", fmt.Errorf("upload bits: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.app(appGUID); err != nil {
		return "", err
	}
	pkg := f.newGUID("package")
	f.packages[pkg] = appGUID
	f.Bits[appGUID] = buf.Bytes()
	return pkg, nil
}

func (f *fakePlatform) Stage(ctx context.Context, pkg string) (string, error) {
	c, err := f.record(Call{Method: "Stage", Args: []string{pkg}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	f.mu.Lock()
	hangs, stageErr := f.StageHangs, f.StageErr
	f.mu.Unlock()
	if hangs {
		<-ctx.Done()
		return "", fmt.Errorf("staging: %w", context.Cause(ctx))
	}
	if stageErr != nil {
		return "", stageErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.packages[pkg]; !ok {
		return "", fmt.Errorf("CF-ResourceNotFound: package %s", pkg)
	}
	return f.newGUID("droplet"), nil
}

// UploadDroplet takes droplet bits for an app without staging.
func (f *fakePlatform) UploadDroplet(_ context.Context, appGUID string, _ map[string]string, write func(io.Writer) error) (string, error) {
	c, err := f.record(Call{Method: "UploadDroplet", Args: []string{appGUID}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	if err := write(io.Discard); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.newGUID("droplet"), nil
}

func (f *fakePlatform) SetDroplet(_ context.Context, appGUID, droplet string) error {
	return f.locked(Call{Method: "SetDroplet", Args: []string{appGUID, droplet}}, func() error {
		a, err := f.app(appGUID)
		if err != nil {
			return err
		}
		a.Droplet = droplet
		return nil
	})
}

func (f *fakePlatform) DeployedRevision(_ context.Context, appGUID string) (string, error) {
	c, err := f.record(Call{Method: "DeployedRevision", Args: []string{appGUID}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.app(appGUID)
	if err != nil {
		return "", err
	}
	return "revision-of-" + a.Droplet, nil
}

func (f *fakePlatform) WebProcess(_ context.Context, appGUID string) (cf.Process, error) {
	c, err := f.record(Call{Method: "WebProcess", Args: []string{appGUID}})
	if err != nil {
		return cf.Process{}, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.app(appGUID)
	if err != nil {
		return cf.Process{}, err
	}
	return cf.Process{GUID: "process-of-" + a.GUID, Instances: a.Instances, MemoryMB: a.MemoryMB}, nil
}

// instanceStates is what CC reports for the app now (mu held).
func (f *fakePlatform) instanceStates(a *fakeApp) []string {
	if a.State != "STARTED" {
		return slices.Repeat([]string{"DOWN"}, a.Instances)
	}
	if s, ok := f.InstanceStates[a.Name]; ok {
		return s
	}
	return slices.Repeat([]string{"RUNNING"}, a.Instances)
}

func (f *fakePlatform) Instances(_ context.Context, appGUID string) ([]cf.Instance, error) {
	c, err := f.record(Call{Method: "Instances", Args: []string{appGUID}})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.app(appGUID)
	if err != nil {
		return nil, err
	}
	var out []cf.Instance
	for i, s := range f.instanceStates(a) {
		out = append(out, cf.Instance{Index: i, State: s, Routable: s == "RUNNING"})
	}
	return out, nil
}

func (f *fakePlatform) CrashReasons(_ context.Context, appGUID string) ([]string, error) {
	c, err := f.record(Call{Method: "CrashReasons", Args: []string{appGUID}})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.app(appGUID)
	if err != nil {
		return nil, err
	}
	return slices.Clone(f.Crashes[a.Name]), nil
}

func (f *fakePlatform) AppRoutes(_ context.Context, appGUID string) ([]cf.Route, error) {
	c, err := f.record(Call{Method: "AppRoutes", Args: []string{appGUID}})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []cf.Route{}
	for _, r := range f.routes {
		if _, ok := r.Dests[appGUID]; ok {
			out = append(out, f.toCF(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}

func (f *fakePlatform) Route(_ context.Context, guid string) (cf.Route, error) {
	c, err := f.record(Call{Method: "Route", Args: []string{guid}})
	if err != nil {
		return cf.Route{}, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.routes[guid]
	if r == nil {
		return cf.Route{}, fmt.Errorf("CF-ResourceNotFound: route %s", guid)
	}
	return f.toCF(r), nil
}

func (f *fakePlatform) Domains(context.Context) (map[string]string, error) {
	c, err := f.record(Call{Method: "Domains"})
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.domains), nil
}

func (f *fakePlatform) DefaultDomain(_ context.Context, org string) (string, string, error) {
	c, err := f.record(Call{Method: "DefaultDomain", Args: []string{org}})
	if err != nil {
		return "", "", err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.domains[f.defaultDomain], f.defaultDomain, nil
}

func (f *fakePlatform) EnsureRoute(_ context.Context, space, domainGUID, host, path string) (cf.Route, error) {
	c, err := f.record(Call{Method: "EnsureRoute", Args: []string{space, domainGUID, host, path}})
	if err != nil {
		return cf.Route{}, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.ensureRoute(domainGUID, host, path)
	if err != nil {
		return cf.Route{}, err
	}
	return f.toCF(r), nil
}

func (f *fakePlatform) Map(_ context.Context, routeGUID, appGUID string) error {
	return f.locked(Call{Method: "Map", Args: []string{routeGUID, appGUID}}, func() error {
		r := f.routes[routeGUID]
		if r == nil {
			return fmt.Errorf("CF-ResourceNotFound: route %s", routeGUID)
		}
		if _, err := f.app(appGUID); err != nil {
			return err
		}
		if _, ok := r.Dests[appGUID]; !ok {
			r.Dests[appGUID] = f.newGUID("dest")
		}
		return nil
	})
}

func (f *fakePlatform) Unmap(_ context.Context, routeGUID, appGUID string) error {
	return f.locked(Call{Method: "Unmap", Args: []string{routeGUID, appGUID}}, func() error {
		r := f.routes[routeGUID]
		if r == nil {
			return fmt.Errorf("CF-ResourceNotFound: route %s", routeGUID)
		}
		delete(r.Dests, appGUID)
		return nil
	})
}

func (f *fakePlatform) DeleteRoute(_ context.Context, guid string) error {
	return f.locked(Call{Method: "DeleteRoute", Args: []string{guid}}, func() error {
		delete(f.routes, guid)
		return nil
	})
}

func (f *fakePlatform) FreeMemory(_ context.Context, s cf.Space) (cf.Headroom, error) {
	c, err := f.record(Call{Method: "FreeMemory", Args: []string{s.GUID}})
	if err != nil {
		return cf.Headroom{}, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Free, nil
}

// ---- reading the log ----

// mutating are the methods that change the foundation.
var mutating = []string{"CreateApp", "Update", "DeleteApp", "Start", "Stop", "ApplyManifest", "Upload",
	"Stage", "SetDroplet", "EnsureRoute", "Map", "Unmap", "DeleteRoute"}

// matches reports whether c is method with args as a prefix of its Args ("" matches anything).
func (c Call) matches(method string, args ...string) bool {
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
func first(calls []Call, method string, args ...string) int {
	for i, c := range calls {
		if c.Err == nil && c.matches(method, args...) {
			return i
		}
	}
	return -1
}

// last is the index of the last matching call that succeeded, or -1.
func last(calls []Call, method string, args ...string) int {
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Err == nil && calls[i].matches(method, args...) {
			return i
		}
	}
	return -1
}

// count is how many matching calls succeeded.
func count(calls []Call, method string, args ...string) int {
	n := 0
	for _, c := range calls {
		if c.Err == nil && c.matches(method, args...) {
			n++
		}
	}
	return n
}

// involving lists the calls whose arguments mention any of the ids.
func involving(calls []Call, ids ...string) []string {
	var out []string
	for _, c := range calls {
		for _, a := range c.Args {
			if slices.Contains(ids, a) {
				out = append(out, c.String())
				break
			}
		}
	}
	return out
}
