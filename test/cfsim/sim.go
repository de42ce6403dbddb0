// Package cfsim is a simulated Cloud Foundry foundation for tests, the demo and the benchmark:
// a Cloud Controller v3 subset, UAA's token endpoint, an app runner that starts real processes
// (Diego), a route-emitter, and several gorouters behind a load balancer, each learning route
// changes after its own lag. Behaviour follows docs/platform/ (the Cloud Foundry behaviour the
// project relies on, with its upstream sources); the README beside this file lists where it
// simplifies.
package cfsim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// Config sets up a simulator. The zero value is usable: defaults are filled in by Start.
type Config struct {
	Routers            int           // gorouters behind the load balancer (default 3)
	RouteLagMin        time.Duration // each router's registration lag is drawn from [min, max]
	RouteLagMax        time.Duration
	LegacyRouters      bool          // routers ignore X-CF-Process-Instance (before 2025-03)
	DeploymentInterval time.Duration // deployment updater tick (default 5 s, the BOSH default)
	TokenTTL           time.Duration // access-token lifetime (default 1199 s, cf-deployment's)
	StagingTime        time.Duration // how long staging takes (default 300 ms)
	CrashBackoff       time.Duration // restart delay after the third crash, doubling (default 1 s)
	HealthPoll         time.Duration // health-check poll while starting (default 100 ms)
	CellMemoryMB       int           // Diego capacity; 0 = unlimited. Beyond it instances are DOWN.
	PolicyCleanup      time.Duration // how often policies of deleted apps are removed (default 60 min)
	Org, Space, Domain string
	SecondDomain       string // a second shared domain (default apps2.cfsim.test)
	Username, Password string
	ClientID           string
	ClientSecret       string
	Dir                string    // working folder for bits and droplets (default: a temp dir, removed on Close)
	Log                io.Writer // app and staging output (default: discarded)
	Seed               uint64    // seeds router lags and fault draws (default: random)
	TLS                bool      // serve CC and UAA over HTTPS with a certificate from a CA made for this run (Info.CACert)

	// DockerImages maps a docker image reference to a local folder standing for the image
	// (cfsim cannot pull images; see docker.go).
	DockerImages map[string]string
	// how long the built-in broker's asynchronous operations stay in progress (default 1 s)
	ServiceOperationTime time.Duration
}

// Info is what a client needs to reach the simulator; the cfsim program writes it as JSON.
type Info struct {
	APIURL       string   `json:"api_url"`
	UAAURL       string   `json:"uaa_url"`
	LBURL        string   `json:"lb_url"`
	RouterURLs   []string `json:"router_urls"`
	Username     string   `json:"username"`
	Password     string   `json:"password"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Org          string   `json:"org"`
	Space        string   `json:"space"`
	Domain       string   `json:"domain"`
	SecondDomain string   `json:"second_domain"`
	Internal     string   `json:"internal_domain"`
	CACert       string   `json:"ca_cert,omitempty"` // PEM of the CA that signed the API's certificate (Config.TLS)
	LogCacheURL  string   `json:"log_cache_url"`     // Log Cache's own base URL, as the root's log_cache link
}

// Sim is a running simulated foundation.
type Sim struct {
	cfg  Config
	base string // CC, UAA and login base URL
	rng  *rand.Rand

	mu          sync.Mutex
	seq         int64
	orgs        map[string]*org
	spaces      map[string]*space
	domains     map[string]*domain
	quotas      map[string]*quota
	apps        map[string]*app
	packages    map[string]*pkg
	builds      map[string]*build
	droplets    map[string]*droplet
	processes   map[string]*process
	routes      map[string]*route
	deployments map[string]*deployment
	revisions   map[string]*revision
	tasks       map[string]*task
	jobs        map[string]*job
	events      []*auditEvent
	policies    []netPolicy                  // container-to-container network policies (policies.go)
	sidecars    map[string]*sidecar          // made on first use (cc_sidecars.go)
	instances   map[string]map[int]*instance // Diego's actual LRPs, by process guid and index
	logs        map[string]*logBuffer        // by app guid
	flags       map[string]*featureFlag      // CC's feature flags, made on first use
	svc         *services                    // broker catalog, service instances, bindings

	uaa    *uaa
	faults *faults
	reqs   *requestLog
	fleet  *router.Fleet
	diego  *diego

	server   *http.Server
	caPEM    string // the API's CA when serving TLS
	tlsCfg   *tls.Config
	lcURL    string // Log Cache's base URL (logcache.go)
	ctx      context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	kick     chan struct{} // state changed: converge instances and re-emit routes
	tempDir  bool
	closeErr error
	once     sync.Once
}

// Start runs a simulator on 127.0.0.1 with free ports and returns once every server listens.
func Start(cfg Config) (*Sim, error) {
	cfg = withDefaults(cfg)
	s := &Sim{cfg: cfg, kick: make(chan struct{}, 1)}
	s.rng = rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	s.initMaps()
	if err := s.initDir(); err != nil {
		return nil, err
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if err := s.startServers(); err != nil {
		s.Close()
		return nil, err
	}
	s.seed()
	s.diego = newDiego(s)
	s.goLoop(s.convergeLoop)
	s.goLoop(s.updaterLoop)
	s.goLoop(s.policyCleanerLoop)
	return s, nil
}

func withDefaults(c Config) Config {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	if c.Routers <= 0 {
		c.Routers = 3
	}
	if c.DeploymentInterval <= 0 {
		c.DeploymentInterval = 5 * time.Second
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 1199 * time.Second
	}
	if c.StagingTime <= 0 {
		c.StagingTime = 300 * time.Millisecond
	}
	if c.CrashBackoff <= 0 {
		c.CrashBackoff = time.Second
	}
	if c.HealthPoll <= 0 {
		c.HealthPoll = 100 * time.Millisecond
	}
	if c.RouteLagMax < c.RouteLagMin {
		c.RouteLagMax = c.RouteLagMin
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	def(&c.Org, "cfsim-org")
	def(&c.Space, "cfsim-space")
	def(&c.Domain, "apps.cfsim.test")
	def(&c.SecondDomain, "apps2.cfsim.test")
	def(&c.Username, "admin")
	def(&c.Password, "pw-"+newGUID()[:13])
	def(&c.ClientID, "cfsim-client")
	def(&c.ClientSecret, "secret-"+newGUID()[:13])
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

func (s *Sim) initMaps() {
	s.orgs, s.spaces, s.domains = map[string]*org{}, map[string]*space{}, map[string]*domain{}
	s.quotas, s.apps, s.packages = map[string]*quota{}, map[string]*app{}, map[string]*pkg{}
	s.builds, s.droplets, s.processes = map[string]*build{}, map[string]*droplet{}, map[string]*process{}
	s.routes, s.deployments, s.revisions = map[string]*route{}, map[string]*deployment{}, map[string]*revision{}
	s.tasks, s.jobs = map[string]*task{}, map[string]*job{}
	s.instances, s.logs = map[string]map[int]*instance{}, map[string]*logBuffer{}
	s.svc = s.newServices()
}

func (s *Sim) initDir() error {
	if s.cfg.Dir != "" {
		return os.MkdirAll(s.cfg.Dir, 0o755)
	}
	dir, err := os.MkdirTemp("", "cfsim-")
	if err != nil {
		return fmt.Errorf("cfsim: make work dir: %w", err)
	}
	s.cfg.Dir, s.tempDir = dir, true
	return nil
}

func (s *Sim) startServers() error {
	fleet, err := router.Start(router.Options{
		Routers: s.cfg.Routers, LagMin: s.cfg.RouteLagMin, LagMax: s.cfg.RouteLagMax,
		Rand: rand.New(rand.NewPCG(s.cfg.Seed, 7)), ProcessInstanceHeader: !s.cfg.LegacyRouters,
		AccessLog: s.routerAccessLog,
	})
	if err != nil {
		return fmt.Errorf("cfsim: start routers: %w", err)
	}
	s.fleet = fleet
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cfsim: listen: %w", err)
	}
	s.base = "http://" + ln.Addr().String()
	if s.cfg.TLS {
		if ln, err = s.serveTLS(ln); err != nil {
			return err
		}
	}
	s.uaa = newUAA(s.cfg, s.base)
	s.faults = newFaults(s.cfg.Seed)
	s.reqs = &requestLog{}
	// Handshake errors (a client that does not trust the test CA) go to the log, not stderr.
	s.server = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(s.cfg.Log, "cfsim: ", 0)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(s.cfg.Log, "cfsim: api server: %v\n", err)
		}
	}()
	return s.startLogCache()
}

func (s *Sim) goLoop(f func(context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f(s.ctx)
	}()
}

// Info tells clients where everything is and how to log in.
func (s *Sim) Info() Info {
	return Info{
		APIURL: s.base, UAAURL: s.base, LBURL: s.fleet.LBURL(), RouterURLs: s.fleet.RouterURLs(),
		Username: s.cfg.Username, Password: s.cfg.Password,
		ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret,
		Org: s.cfg.Org, Space: s.cfg.Space, Domain: s.cfg.Domain, CACert: s.caPEM, LogCacheURL: s.lcURL,
		SecondDomain: s.cfg.SecondDomain, Internal: internalDomain,
	}
}

// Routers gives tests the router fleet: lags, the registration event log, tables.
func (s *Sim) Routers() *router.Fleet { return s.fleet }

// Close stops every server and loop and kills every app process it started.
func (s *Sim) Close() error {
	s.once.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		if s.server != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			s.closeErr = s.server.Shutdown(ctx)
			cancel()
		}
		if s.diego != nil {
			s.diego.stopAll()
		}
		s.wg.Wait()
		if s.fleet != nil {
			s.closeErr = errors.Join(s.closeErr, s.fleet.Close())
		}
		if s.tempDir {
			s.closeErr = errors.Join(s.closeErr, os.RemoveAll(s.cfg.Dir))
		}
	})
	return s.closeErr
}

// changed wakes the convergence loop after a state change. Callers may hold s.mu.
func (s *Sim) changed() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// nextBase stamps a new record. Callers hold s.mu.
func (s *Sim) nextBase() base {
	s.seq++
	now := time.Now()
	return base{guid: newGUID(), seq: s.seq, created: now, updated: now}
}

// SetStagingTime changes how long staging takes from now on.
func (s *Sim) SetStagingTime(d time.Duration) {
	s.mu.Lock()
	s.cfg.StagingTime = d
	s.mu.Unlock()
}
