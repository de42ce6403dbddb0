package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// strategy is one row of the table: how to put the first version up (not measured) and how
// to deploy the next one (measured).
type strategy struct {
	Name   string
	Order  int // its row in the table
	Ours   bool
	Kind   string // ours: bluegreen, rolling or canary
	App    string
	Host   string // the live route's host: where the load goes
	first  func(ctx context.Context, version string) error
	deploy func(ctx context.Context, version string) (deployed, error)
}

// deployed is what a deploy left to measure.
type deployed struct {
	Out *outRun // ours: the run of out
}

func (l *lane) bluegreen() strategy {
	s := l.ours("bluegreen", "ours-bluegreen", map[string]any{})
	s.Order = 1
	return s
}

func (l *lane) rolling() strategy {
	s := l.ours("rolling", "ours-rolling", map[string]any{"strategy": "rolling", "max_in_flight": 1})
	s.Order = 2
	return s
}

// rollingCAPI is ours rolling with CAPI's own schedule (pace: capi): verified at the end only,
// as fast as CAPI goes, and as exposed to the routers' lag as the cf CLI's.
func (l *lane) rollingCAPI() strategy {
	s := l.ours(kindRollingCAPI, "ours-rolling-capi", map[string]any{"strategy": "rolling", "max_in_flight": 1, "pace": "capi"})
	s.Name, s.Order = "ours: rolling, pace: capi", 8
	return s
}

func (l *lane) canary() strategy {
	s := l.ours("canary", "ours-canary", map[string]any{"strategy": "canary"})
	s.Order = 3
	return s
}

// ours deploys with the out binary and JSON on stdin; each deploy gets a new version var.
func (l *lane) ours(kind, app string, params map[string]any) strategy {
	s := strategy{Name: "ours: " + kind, Ours: true, Kind: kind, App: app, Host: app}
	manifest := app + ".yml"
	s.first = func(ctx context.Context, version string) error {
		if err := l.writeManifest(manifest, app, l.b.cfg.Instances); err != nil {
			return err
		}
		_, err := s.deploy(ctx, version)
		return err
	}
	s.deploy = func(ctx context.Context, version string) (deployed, error) {
		p := map[string]any{"manifest": manifest, "vars": map[string]any{"version": version}, "drain": "0s", "settle": "0s"}
		for k, v := range params {
			p[k] = v
		}
		r, err := runOut(ctx, l.b.outBin, filepath.Dir(l.b.appDir), putRequest(l.f.info, p))
		return deployed{Out: &r}, err
	}
	return s
}

// writeManifest writes out's manifest for app into the inputs folder.
func (l *lane) writeManifest(file, app string, instances int) error {
	m := fmt.Sprintf("applications:\n- name: %s\n  memory: 64M\n  instances: %d\n  path: app\n"+
		"  health-check-type: http\n  health-check-http-endpoint: /health\n  timeout: 10\n"+
		"  env:\n    VERSION: ((version))\n", app, instances)
	if err := os.WriteFile(filepath.Join(filepath.Dir(l.b.appDir), file), []byte(m), 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

func (l *lane) app(name, version string, routes ...string) cfpush.App {
	a := cfpush.App{Name: name, Version: version, Instances: l.b.cfg.Instances}
	for _, r := range routes {
		a.Routes = append(a.Routes, r+"."+l.f.info.Domain)
	}
	return a
}

// naive is an in-place script: unmap the live route, cf push over the app, wait for a 200
// on the app's own route, map the live route again.
func (l *lane) naive() strategy {
	const app, live = "naive", "naive-live"
	s := strategy{Name: "naive script", Order: 4, App: app, Host: live}
	s.first = func(ctx context.Context, version string) error {
		_, err := l.f.ops.pushNew(ctx, l.app(app, version, app, live))
		return err
	}
	s.deploy = func(ctx context.Context, version string) (deployed, error) {
		a, err := l.f.ops.p.AppNamed(ctx, app)
		if err != nil {
			return deployed{}, err
		}
		route, err := l.f.ops.p.Route(ctx, live)
		if err != nil {
			return deployed{}, err
		}
		if err := l.f.ops.p.Unmap(ctx, route.GUID, a.GUID); err != nil {
			return deployed{}, err
		}
		if _, err := l.f.ops.pushOver(ctx, l.app(app, version, app)); err != nil {
			return deployed{}, err
		}
		if err := l.waitOK(ctx, app); err != nil {
			return deployed{}, err
		}
		return deployed{}, l.f.ops.p.Map(ctx, route.GUID, a.GUID)
	}
	return s
}

// waitOK is the script's `until curl -f https://HOST; do sleep; done` through the load balancer.
func (l *lane) waitOK(ctx context.Context, host string) error {
	fqdn := host + "." + l.f.info.Domain
	for {
		if s := hit(ctx, l.b.http, l.f.info.LBURL, fqdn); s.Status == 200 {
			return nil
		}
		if err := pause(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for %s to answer 200: %w", fqdn, err)
		}
	}
}

// venerable is cf-resource's (and autopilot's) zero-downtime push: rename the app to
// APP-venerable, cf push APP, delete APP-venerable.
func (l *lane) venerable() strategy {
	const app = "venerable"
	s := strategy{Name: "venerable (cf-resource, autopilot)", Order: 5, App: app, Host: app}
	s.first = func(ctx context.Context, version string) error {
		_, err := l.f.ops.pushNew(ctx, l.app(app, version))
		return err
	}
	s.deploy = func(ctx context.Context, version string) (deployed, error) {
		old, err := l.f.ops.p.AppNamed(ctx, app)
		if err != nil {
			return deployed{}, err
		}
		if err := l.f.ops.rename(ctx, old.GUID, app+"-venerable"); err != nil {
			return deployed{}, err
		}
		if _, err := l.f.ops.pushNew(ctx, l.app(app, version)); err != nil {
			return deployed{}, err
		}
		return deployed{}, l.f.ops.deleteApp(ctx, old.GUID)
	}
	return s
}

// bgd is cf-blue-green-deploy: delete leftovers of the last run, push APP-new on its own
// route, map the live routes to it, unmap them from APP, drop the temporary route, rename
// APP to APP-old (left running) and APP-new to APP. Nothing waits for the routers.
func (l *lane) bgd() strategy {
	const app = "bgd"
	s := strategy{Name: "bgd (cf-blue-green-deploy)", Order: 6, App: app, Host: app}
	s.first = func(ctx context.Context, version string) error {
		_, err := l.f.ops.pushNew(ctx, l.app(app, version))
		return err
	}
	s.deploy = func(ctx context.Context, version string) (deployed, error) {
		return deployed{}, l.bgdDeploy(ctx, app, version)
	}
	return s
}

func (l *lane) bgdDeploy(ctx context.Context, app, version string) error {
	for _, leftover := range []string{app + "-old", app + "-new"} {
		a, err := l.f.ops.appNamed(ctx, leftover)
		if err == nil && a != nil {
			err = l.f.ops.deleteApp(ctx, a.GUID)
		}
		if err != nil {
			return err
		}
	}
	live, err := l.f.ops.p.AppNamed(ctx, app)
	if err != nil {
		return err
	}
	fresh, err := l.f.ops.pushNew(ctx, l.app(app+"-new", version, app+"-new"))
	if err != nil {
		return err
	}
	route, err := l.f.ops.p.Route(ctx, app)
	if err != nil {
		return err
	}
	if err := l.f.ops.p.Map(ctx, route.GUID, fresh.GUID); err != nil {
		return err
	}
	if err := l.f.ops.p.Unmap(ctx, route.GUID, live.GUID); err != nil {
		return err
	}
	temp, err := l.f.ops.p.Route(ctx, app+"-new")
	if err == nil {
		err = l.f.ops.p.Unmap(ctx, temp.GUID, fresh.GUID)
	}
	if err == nil {
		_, err = l.f.ops.p.CF.Routes.Delete(ctx, temp.GUID)
	}
	if err != nil {
		return fmt.Errorf("drop the temporary route: %w", err)
	}
	if err := l.f.ops.rename(ctx, live.GUID, app+"-old"); err != nil {
		return err
	}
	return l.f.ops.rename(ctx, fresh.GUID, app)
}

// cliRollingApp is the cf CLI rolling push's app: the figure ours rolling is set against.
const cliRollingApp = "cli-rolling"

// cliRolling is `cf push --strategy rolling`: a CAPI rolling deployment, polled to
// DEPLOYED, nothing verified.
func (l *lane) cliRolling() strategy {
	const app = cliRollingApp
	s := strategy{Name: "cf push --strategy rolling", Order: 7, App: app, Host: app}
	s.first = func(ctx context.Context, version string) error {
		_, err := l.f.ops.pushNew(ctx, l.app(app, version))
		return err
	}
	s.deploy = func(ctx context.Context, version string) (deployed, error) {
		return deployed{}, l.f.ops.pushRolling(ctx, l.app(app, version))
	}
	return s
}
