// Package cfpush pushes test/apps/versioned to a foundation the way the cf CLI does, through
// go-cfclient: apply the manifest, upload a package, stage, set the droplet, start. Tests,
// the demo and the benchmark use it to put apps on cfsim without the resource.
package cfpush

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/config"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Login returns a go-cfclient client logged in with the password grant; options add to it
// (an HTTP client that trusts a test CA, say).
func Login(api, username, password string, options ...config.Option) (*client.Client, error) {
	cfg, err := config.New(api, append([]config.Option{config.UserPassword(username, password)}, options...)...)
	if err != nil {
		return nil, fmt.Errorf("log in to %s: %w", api, err)
	}
	return client.New(cfg)
}

// BuildVersioned compiles test/apps/versioned (found from moduleDir) into dir and zips it as
// a binary-buildpack app with a Procfile; it returns the zip's path.
func BuildVersioned(moduleDir, dir string) (string, error) {
	bin := filepath.Join(dir, "versioned")
	build := exec.Command("go", "build", "-o", bin, "./test/apps/versioned")
	build.Dir = moduleDir
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build test/apps/versioned: %w\n%s", err, out)
	}
	zipPath := filepath.Join(dir, "versioned.zip")
	return zipPath, ZipApp(zipPath, bin, "web: ./versioned\n")
}

// ZipApp zips an executable as "versioned" and, unless procfile is empty, a Procfile.
func ZipApp(dest, bin, procfile string) error {
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	err = addExecutable(zw, bin)
	if err == nil && procfile != "" {
		var w interface{ Write([]byte) (int, error) }
		if w, err = zw.Create("Procfile"); err == nil {
			_, err = w.Write([]byte(procfile))
		}
	}
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func addExecutable(zw *zip.Writer, bin string) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	hdr := &zip.FileHeader{Name: "versioned", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// App describes one app of test/apps/versioned.
type App struct {
	Name      string
	Version   string            // VERSION: what the app answers
	Instances int               // default 1
	Env       map[string]string // more env vars (CRASH, HEALTH, ...)
	Health    string            // health-check-type; default http on /health
	Routes    []string          // default NAME.DOMAIN; see NoRoute
	NoRoute   bool
}

// Manifest renders the app's manifest for the given apps domain.
func (a App) Manifest(domain string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "applications:\n- name: %s\n  memory: 64M\n  instances: %d\n", a.Name, max(a.Instances, 1))
	health := a.Health
	if health == "" {
		health = "http"
	}
	fmt.Fprintf(&b, "  health-check-type: %s\n", health)
	if health == "http" {
		b.WriteString("  health-check-http-endpoint: /health\n")
	}
	fmt.Fprintf(&b, "  timeout: 10\n  env:\n    VERSION: %q\n", a.Version)
	for k, v := range a.Env {
		fmt.Fprintf(&b, "    %s: %q\n", k, v)
	}
	routes := a.Routes
	if len(routes) == 0 && !a.NoRoute {
		routes = []string{a.Name + "." + domain}
	}
	if len(routes) > 0 {
		b.WriteString("  routes:\n")
		for _, r := range routes {
			fmt.Fprintf(&b, "  - route: %s\n", r)
		}
	}
	return b.String()
}

// Pusher pushes apps into one space.
type Pusher struct {
	CF        *client.Client
	SpaceGUID string
	Domain    string
	Poll      *client.PollingOptions
}

// NewPusher finds the space by name and the shared domain.
func NewPusher(ctx context.Context, cf *client.Client, space, domain string) (*Pusher, error) {
	opts := client.NewSpaceListOptions()
	opts.Names.EqualTo(space)
	sp, err := cf.Spaces.Single(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("find space %s: %w", space, err)
	}
	poll := &client.PollingOptions{Timeout: time.Minute, CheckInterval: 50 * time.Millisecond, FailedState: "FAILED"}
	return &Pusher{CF: cf, SpaceGUID: sp.GUID, Domain: domain, Poll: poll}, nil
}

// Push applies the manifest, stages zipPath and makes it the current droplet; start says
// whether to start the app. It returns the app and the droplet guid.
func (p *Pusher) Push(ctx context.Context, a App, zipPath string, start bool) (*resource.App, string, error) {
	job, err := p.CF.Manifests.ApplyManifest(ctx, p.SpaceGUID, a.Manifest(p.Domain))
	if err != nil {
		return nil, "", fmt.Errorf("apply manifest: %w", err)
	}
	if err := p.CF.Jobs.PollComplete(ctx, job, p.Poll); err != nil {
		return nil, "", fmt.Errorf("apply manifest: %w", err)
	}
	app, err := p.AppNamed(ctx, a.Name)
	if err != nil {
		return nil, "", err
	}
	droplet, err := p.Stage(ctx, app.GUID, zipPath)
	if err != nil {
		return nil, "", err
	}
	if _, err := p.CF.Droplets.SetCurrentAssociationForApp(ctx, app.GUID, droplet); err != nil {
		return nil, "", fmt.Errorf("set droplet: %w", err)
	}
	if start {
		if _, err := p.CF.Applications.Start(ctx, app.GUID); err != nil {
			return nil, "", fmt.Errorf("start: %w", err)
		}
	}
	return app, droplet, nil
}

// AppNamed finds an app of the space by name.
func (p *Pusher) AppNamed(ctx context.Context, name string) (*resource.App, error) {
	opts := client.NewAppListOptions()
	opts.Names.EqualTo(name)
	opts.SpaceGUIDs.EqualTo(p.SpaceGUID)
	app, err := p.CF.Applications.Single(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("find app %s: %w", name, err)
	}
	return app, nil
}

// Stage uploads the zip as a new package of the app, stages it and returns the droplet guid.
func (p *Pusher) Stage(ctx context.Context, appGUID, zipPath string) (string, error) {
	build, err := p.StartBuild(ctx, appGUID, zipPath)
	if err != nil {
		return "", err
	}
	if err := p.CF.Builds.PollStaged(ctx, build, p.Poll); err != nil {
		return "", fmt.Errorf("stage: %w", err)
	}
	b, err := p.CF.Builds.Get(ctx, build)
	if err != nil {
		return "", fmt.Errorf("stage: %w", err)
	}
	return b.Droplet.GUID, nil
}

// StartBuild uploads the zip as a new READY package and creates a build; it returns the build guid.
func (p *Pusher) StartBuild(ctx context.Context, appGUID, zipPath string) (string, error) {
	pkg, err := p.ReadyPackage(ctx, appGUID, zipPath)
	if err != nil {
		return "", err
	}
	build, err := p.CF.Builds.Create(ctx, resource.NewBuildCreate(pkg))
	if err != nil {
		return "", fmt.Errorf("create build: %w", err)
	}
	return build.GUID, nil
}

// ReadyPackage creates a bits package, uploads the zip and waits until it is READY.
func (p *Pusher) ReadyPackage(ctx context.Context, appGUID, zipPath string) (string, error) {
	pkg, err := p.CF.Packages.Create(ctx, resource.NewPackageCreate(appGUID))
	if err != nil {
		return "", fmt.Errorf("create package: %w", err)
	}
	zf, err := os.Open(zipPath)
	if err != nil {
		return "", err
	}
	defer zf.Close()
	if _, err := p.CF.Packages.Upload(ctx, pkg.GUID, zf); err != nil {
		return "", fmt.Errorf("upload package: %w", err)
	}
	if err := p.CF.Packages.PollReady(ctx, pkg.GUID, p.Poll); err != nil {
		return "", fmt.Errorf("upload package: %w", err)
	}
	return pkg.GUID, nil
}
