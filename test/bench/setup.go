package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// bench is one run: the binaries and the settings.
type bench struct {
	cfg    settings
	http   *http.Client // for waits: short timeouts
	users  *http.Client // for the load: waits as long as a patient user
	dir    string       // scratch: binaries, the inputs folder, the foundations, the large app
	outBin string
	appDir string // test/apps/versioned built, with its Procfile: every strategy's bits
	zip    string // the same, zipped, for the baselines
}

// foundation is one simulated Cloud Foundry. Strategies that run at the same time each get
// their own, so none shares a Cloud Controller, a request log or a router with another.
type foundation struct {
	sim  *cfsim.Sim
	info cfsim.Info
	ops  cfOps
}

// routerLag is one router's lags for one deploy.
type routerLag struct{ Registration, Removal time.Duration }

// stagingTime is cfsim's default, said here so the report can print it.
const stagingTime = 300 * time.Millisecond

// newBench builds out and the test app.
func newBench(ctx context.Context, cfg settings, dir string) (*bench, error) {
	b := &bench{cfg: cfg, dir: dir, http: &http.Client{Timeout: 2 * time.Second},
		users: &http.Client{Timeout: loadTimeout}}
	b.outBin = filepath.Join(dir, "out")
	b.appDir = filepath.Join(dir, "inputs", "app")
	if err := goBuild(ctx, b.outBin, "./cmd/out"); err != nil {
		return nil, err
	}
	bin := filepath.Join(b.appDir, "versioned")
	if err := goBuild(ctx, bin, "./test/apps/versioned"); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(b.appDir, "Procfile"), []byte("web: ./versioned\n"), 0o644); err != nil {
		return nil, fmt.Errorf("write Procfile: %w", err)
	}
	b.zip = filepath.Join(dir, "versioned.zip")
	if err := cfpush.ZipApp(b.zip, bin, "web: ./versioned\n"); err != nil {
		return nil, fmt.Errorf("zip the test app: %w", err)
	}
	return b, nil
}

// newFoundation starts a simulator of kind k; close it with sim.Close.
func (b *bench) newFoundation(ctx context.Context, k foundationKind, name string) (*foundation, error) {
	sim, err := cfsim.Start(cfsim.Config{Routers: k.Routers, RouteLagMin: k.LagMin, RouteLagMax: k.LagMax,
		DeploymentInterval: k.Updater, StagingTime: stagingTime, Seed: b.cfg.Seed, Dir: filepath.Join(b.dir, name)})
	if err != nil {
		return nil, fmt.Errorf("start cfsim: %w", err)
	}
	f := &foundation{sim: sim, info: sim.Info()}
	cf, err := cfpush.Login(f.info.APIURL, f.info.Username, f.info.Password)
	if err == nil {
		var p *cfpush.Pusher
		p, err = cfpush.NewPusher(ctx, cf, f.info.Space, f.info.Domain)
		f.ops = cfOps{p: p, zip: b.zip}
	}
	if err != nil {
		sim.Close()
		return nil, fmt.Errorf("log in to cfsim: %w", err)
	}
	return f, nil
}

// useLags sets the routers' lags for round i; nothing is in flight between rounds.
func (f *foundation) useLags(set []routerLag) {
	for r, l := range set {
		f.sim.Routers().SetLag(r, l.Registration)
		f.sim.Routers().SetRemovalLag(r, l.Removal)
	}
}

func slowest(set []routerLag) (reg, rem time.Duration) {
	for _, l := range set {
		reg, rem = max(reg, l.Registration), max(rem, l.Removal)
	}
	return reg, rem
}

// goBuild compiles a package of this module, statically, as the image would hold it.
func goBuild(ctx context.Context, dest, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dest, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}
