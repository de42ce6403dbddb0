package fakecf

import (
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Foundation is an in-memory Cloud Controller behind bluegreen.Platform. It behaves like CC
// where the engine relies on it: app names are unique in a space (CreateApp answers
// platform.ErrNameTaken, a rename onto a taken name fails), Update always sets the name and a nil
// metadata value removes the key, apply-manifest creates or updates the named app and maps
// its routes, deleting an app removes its route mappings, an app needs a droplet to start.
// Every call, including the fake prober's, goes into one ordered log.
type Foundation struct {
	mu sync.Mutex

	space         platform.Space
	domains       map[string]string // name -> guid
	defaultDomain string
	apps          map[string]*App   // guid -> app
	routes        map[string]*route // guid -> route
	packages      map[string]string // package guid -> app guid
	routeHistory  map[string]string // url -> guid of every route ever created
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
	Free           platform.Headroom   // FreeMemory's answer (nil fields: unlimited)

	Collisions []string // renames or creations that hit a taken name
	Bits       map[string][]byte
	Held       map[string]bool // SHA-1s the resource pool holds: UploadFiles leaves them out of the zip
	// Images are the images of the docker packages made for each app, by app guid, oldest
	// first: what CC was given (password included), for the specs to look at.
	Images map[string][]platform.DockerImage

	// Deployments (deployments.go), under dmu, which is taken before mu.
	dmu         sync.Mutex
	deployments map[string]*deployment
	processes   map[string][]platform.Process // app guid -> current web processes, oldest first
	revisions   map[string][]platform.Revision
	// Finishes makes a deployment DEPLOYED at its first read (CAPI done by itself); otherwise it
	// stays ACTIVE until cancelled.
	Finishes bool

	// Services, networking and logs (services.go, networking.go, logs.go).
	serviceInstances map[string]*platform.ServiceInstance // by name
	bindings         map[string]*binding                  // by guid
	policies         []platform.Policy
	// TypeStates are the instance states of a process type once started, by "app name/type"
	// (default: all RUNNING); the web process keeps InstanceStates.
	TypeStates map[string][]string
	BindErr    error // Bind fails with it
	// ProcessTypes are the process types besides web the droplets the fake stages declare (a
	// Procfile's worker:); setting a droplet creates those the app lacks, with 0 instances, as CC.
	ProcessTypes []string
	Logs         map[string][]platform.LogLine // app name -> what Log Cache holds, oldest first
	tasks        []*fakeTask

	// Metrics (metrics.go): the requests the routers proxied, oldest first, under mu; the
	// round-robin position of Request, under dmu.
	served []servedRequest
	rr     int
}

type App struct {
	GUID, Name, State string
	Lifecycle         platform.Lifecycle // "" is buildpack, CC's default
	Droplet           string
	Labels            map[string]string
	Annotations       map[string]string
	Env               map[string]string
	Instances         int
	MemoryMB          int
	DiskMB            int
	LogRateLimit      int // the web process's, bytes per second; -1 is unlimited (CC's default)
	Created           time.Time
	Others            map[string]*platform.Process // process types other than web, by type
}

type route struct {
	GUID, Host, Path string
	DomainGUID       string
	Dests            map[string]string // app guid -> destination guid
	Protocols        map[string]string // app guid -> destination protocol
}

// InternalDomain is the fake's internal domain: its routes reach no router.
const InternalDomain = "apps.internal"

const (
	OrgGUID   = "org-guid"
	SpaceGUID = "space-guid"
)

func New(org, space string) *Foundation {
	return &Foundation{
		space: platform.Space{GUID: SpaceGUID, Name: space, OrgGUID: OrgGUID, OrgName: org},
		domains: map[string]string{
			"apps.example.com": "domain-apps", "internal.apps.example.com": "domain-internal",
			InternalDomain: "domain-apps-internal",
		},
		defaultDomain:    "apps.example.com",
		apps:             map[string]*App{},
		routes:           map[string]*route{},
		packages:         map[string]string{},
		routeHistory:     map[string]string{},
		counts:           map[string]int{},
		faults:           map[string]map[int]error{},
		after:            map[string]func(Call){},
		InstanceStates:   map[string][]string{},
		Crashes:          map[string][]string{},
		Bits:             map[string][]byte{},
		Images:           map[string][]platform.DockerImage{},
		Held:             map[string]bool{},
		serviceInstances: map[string]*platform.ServiceInstance{},
		bindings:         map[string]*binding{},
		TypeStates:       map[string][]string{},
		Logs:             map[string][]platform.LogLine{},
		deployments:      map[string]*deployment{},
		processes:        map[string][]platform.Process{},
		revisions:        map[string][]platform.Revision{},
	}
}

// ---- knobs and inspection ----

// FailNth makes the nth call (1-based) of method fail with err; n 0 makes every call fail.
func (f *Foundation) FailNth(method string, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.faults[method] == nil {
		f.faults[method] = map[int]error{}
	}
	f.faults[method][n] = err
}

// After runs hook after every successful call of method has taken effect (outside the lock).
func (f *Foundation) After(method string, hook func(Call)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.after[method] = hook
}

// Calls is a copy of the log.
func (f *Foundation) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Count is how many calls of method were made.
func (f *Foundation) Count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[method]
}

// AppNamed is the app of that name, or nil (a copy).
func (f *Foundation) AppNamed(name string) *App {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.byName(name); a != nil {
		return a.copy()
	}
	return nil
}

// AppByGUID is the app with that guid, or nil (a copy).
func (f *Foundation) AppByGUID(guid string) *App {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.apps[guid]; a != nil {
		return a.copy()
	}
	return nil
}

// AppNames lists every app's name, sorted.
func (f *Foundation) AppNames() []string {
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
func (f *Foundation) RouteURLs() []string {
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
func (f *Foundation) Mapped(appGUID string) []string {
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
func (f *Foundation) Serving(url string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{}
	r := f.routeByURL(url)
	if r == nil {
		return out
	}
	for g := range r.Dests {
		if a := f.apps[g]; a != nil && a.State == string(platform.AppStarted) {
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// RouteGUID is the guid of the route with that URL, or of the last one that had it, or "".
func (f *Foundation) RouteGUID(url string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.routeByURL(url); r != nil {
		return r.GUID
	}
	return f.routeHistory[url]
}

// ---- seeding ----

// SeedApp adds a started app with a droplet, like one an earlier deploy left.
func (f *Foundation) SeedApp(name string, instances int, labels, annotations map[string]string) *App {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := &App{GUID: f.newGUID("app"), Name: name, State: string(platform.AppStarted), Droplet: f.newGUID("droplet"),
		Labels: maps.Clone(labels), Annotations: maps.Clone(annotations), Env: map[string]string{},
		Instances: instances, MemoryMB: 256, LogRateLimit: -1, Created: time.Now().Add(-time.Hour)}
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
func (f *Foundation) SetState(guid, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apps[guid].State = state
}

// SetLifecycle sets an app's lifecycle type directly, as if it had been created so.
func (f *Foundation) SetLifecycle(guid string, l platform.Lifecycle) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apps[guid].Lifecycle = l
}

// SetEnv sets an app's user-provided env directly.
func (f *Foundation) SetEnv(guid string, env map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apps[guid].Env = maps.Clone(env)
}

// SetAnnotations sets annotations on an app directly.
func (f *Foundation) SetAnnotations(guid string, ann map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	maps.Copy(f.apps[guid].Annotations, ann)
}

// SeedRoute adds a route (host.domain/path) and maps the given apps to it; it returns its guid.
func (f *Foundation) SeedRoute(url string, appGUIDs ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	host, domain, path, err := f.splitURL(url)
	if err != nil {
		panic(err)
	}
	r, _ := f.ensureRoute(f.domains[domain], host, path)
	for _, g := range appGUIDs {
		r.Dests[g] = f.newGUID("dest")
		r.Protocols[g] = "http1"
	}
	return r.GUID
}
