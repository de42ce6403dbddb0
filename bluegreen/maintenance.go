package bluegreen

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// MaintenancePlan switches an app's routes to the maintenance responder (On) or back.
type MaintenancePlan struct {
	On        bool
	Responder string            // the responder app's name
	Env       map[string]string // the responder's configuration
	Bits      func(io.Writer) error
	StopApp   bool // stop the app once no router sends it traffic (on); start it again (off)
}

// Annotations on the app that say it is in maintenance and which routes moved.
const (
	annMaintenance       = keyPrefix + "maintenance"
	annMaintenanceRoutes = keyPrefix + "maintenance-routes"
)

// Maintenance switches plan.App's routes to the responder and proves each step through the
// routers, or switches them back: responder mapped and proven before the app is unmapped and
// proven gone (and the reverse), so every request gets an answer from one or the other.
// Switching to the state the app is already in changes nothing.
func Maintenance(ctx context.Context, p Platform, pr Prober, plan Plan, m MaintenancePlan, log *Timeline) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, plan.Timeouts.Overall)
	defer cancel()
	d := &deployer{p: p, pr: pr, plan: plan, log: log, noJournal: true}
	if err := d.target(ctx); err != nil {
		return d.res, err
	}
	if d.live == nil {
		return d.res, fmt.Errorf("app %s does not exist in %s/%s", plan.App, plan.Org, plan.Space)
	}
	var err error
	if m.On {
		err = d.maintenanceOn(ctx, m)
	} else {
		err = d.maintenanceOff(ctx, m)
	}
	d.res.AppName, d.res.AppGUID = d.live.Name, d.live.GUID
	return d.res, err
}

func (d *deployer) maintenanceOn(ctx context.Context, m MaintenancePlan) error {
	if d.live.Annotations[annMaintenance] == "on" {
		d.log.Note("%s is already in maintenance: nothing to do", d.plan.App)
		d.res.Maintenance = "on"
		return nil
	}
	routes, err := d.p.AppRoutes(ctx, d.live.GUID)
	if err != nil {
		return err
	}
	responder, err := d.ensureResponder(ctx, m)
	if err != nil {
		return err
	}
	if err := d.log.Step("move routes to "+responder.Name, func() error { return d.moveRoutes(ctx, routes, responder, d.live) }); err != nil {
		return err
	}
	if err := d.markMaintenance(ctx, routes); err != nil {
		return err
	}
	if m.StopApp {
		if err := d.log.Step("stop "+d.plan.App, func() error { return d.p.Stop(ctx, d.live.GUID) }); err != nil {
			return err
		}
	}
	d.res.Maintenance = "on"
	return nil
}

func (d *deployer) maintenanceOff(ctx context.Context, m MaintenancePlan) error {
	if d.live.Annotations[annMaintenance] != "on" {
		d.log.Note("%s is not in maintenance: nothing to do", d.plan.App)
		d.res.Maintenance = "off"
		return nil
	}
	routes, err := d.movedRoutes(ctx)
	if err != nil {
		return err
	}
	responder, err := d.p.AppByName(ctx, d.space.GUID, m.Responder)
	if err != nil {
		return err
	}
	if d.live.State != "STARTED" {
		if err := d.log.Step("start "+d.plan.App, func() error { return d.startApp(ctx, d.live) }); err != nil {
			return err
		}
	}
	if responder != nil {
		if err := d.log.Step("move routes back to "+d.plan.App, func() error { return d.moveRoutes(ctx, routes, d.live, responder) }); err != nil {
			return err
		}
		if err := d.retireResponder(ctx, responder); err != nil {
			return err
		}
	}
	off := "off"
	d.res.Maintenance = off
	return d.p.Update(ctx, d.live.GUID, d.live.Name, nil,
		map[string]*string{annMaintenance: &off, annMaintenanceRoutes: nil})
}

// retireResponder deletes the responder once no route is left on it (a shared one may still
// serve other apps).
func (d *deployer) retireResponder(ctx context.Context, responder *cf.App) error {
	left, err := d.p.AppRoutes(ctx, responder.GUID)
	if err != nil || len(left) > 0 {
		return err
	}
	return d.log.Step("remove responder "+responder.Name, func() error { return d.p.DeleteApp(ctx, responder.GUID) })
}

// moveRoutes maps every route to `to`, proves it serves each on every router, then unmaps
// `from` and proves it gone.
func (d *deployer) moveRoutes(ctx context.Context, routes []cf.Route, to, from *cf.App) error {
	toSize, err := d.p.WebProcess(ctx, to.GUID)
	if err != nil {
		return err
	}
	fromSize, _ := d.p.WebProcess(ctx, from.GUID)
	started := time.Now()
	for _, r := range routes {
		if err := d.p.Map(ctx, r.GUID, to.GUID); err != nil {
			return err
		}
		if _, err := d.awaitPresent(ctx, r, to.GUID, toSize.Instances); err != nil {
			return err
		}
	}
	for _, r := range routes {
		if err := d.p.Unmap(ctx, r.GUID, from.GUID); err != nil {
			return err
		}
		if _, err := d.awaitAbsent(ctx, r, from.GUID, fromSize.Instances); err != nil {
			return err
		}
		d.res.Routes = append(d.res.Routes, r.URL)
		d.log.Note("%s serves %s on every router, %s no longer does", to.Name, r.URL, from.Name)
	}
	d.res.Verified = append(d.res.Verified, Verification{Route: "switch", Elapsed: time.Since(started)})
	return nil
}

// markMaintenance records on the app that it is in maintenance and which routes moved.
func (d *deployer) markMaintenance(ctx context.Context, routes []cf.Route) error {
	var guids []string
	for _, r := range routes {
		guids = append(guids, r.GUID)
	}
	sort.Strings(guids)
	on, list := "on", strings.Join(guids, ",")
	return d.p.Update(ctx, d.live.GUID, d.live.Name, nil,
		map[string]*string{annMaintenance: &on, annMaintenanceRoutes: &list})
}

func (d *deployer) movedRoutes(ctx context.Context) ([]cf.Route, error) {
	var routes []cf.Route
	for _, guid := range strings.Split(d.live.Annotations[annMaintenanceRoutes], ",") {
		if guid == "" {
			continue
		}
		r, err := d.p.Route(ctx, guid)
		if err != nil {
			return nil, err
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// ensureResponder pushes the responder (or reuses a running one) and waits for it to run.
func (d *deployer) ensureResponder(ctx context.Context, m MaintenancePlan) (*cf.App, error) {
	existing, err := d.p.AppByName(ctx, d.space.GUID, m.Responder)
	if err != nil {
		return nil, err
	}
	if existing != nil && existing.State == "STARTED" {
		d.log.Note("responder %s is running: reusing it", existing.Name)
		return existing, nil
	}
	err = d.log.Step("push responder "+m.Responder, func() error { return d.pushResponder(ctx, m) })
	if err != nil {
		return nil, err
	}
	return d.p.AppByName(ctx, d.space.GUID, m.Responder)
}

func (d *deployer) pushResponder(ctx context.Context, m MaintenancePlan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "applications:\n- name: %s\n  memory: 32M\n  instances: 2\n  no-route: true\n", m.Responder)
	b.WriteString("  health-check-type: http\n  health-check-http-endpoint: /__maintenance/health\n  env:\n")
	keys := make([]string, 0, len(m.Env))
	for k := range m.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s: %q\n", k, m.Env[k])
	}
	if err := d.p.ApplyManifest(ctx, d.space.GUID, []byte(b.String())); err != nil {
		return err
	}
	app, err := d.p.AppByName(ctx, d.space.GUID, m.Responder)
	if err != nil || app == nil {
		return fmt.Errorf("responder %s missing after applying its manifest: %v", m.Responder, err)
	}
	if err := d.uploadBits(ctx, app.GUID, m.Bits); err != nil {
		return err
	}
	droplet, err := d.stageBits(ctx)
	if err != nil {
		return err
	}
	if err := d.p.SetDroplet(ctx, app.GUID, droplet); err != nil {
		return err
	}
	return d.startApp(ctx, app)
}

// startApp starts an app and waits until every instance runs (the candidate's start step).
func (d *deployer) startApp(ctx context.Context, app *cf.App) error {
	size, err := d.p.WebProcess(ctx, app.GUID)
	if err != nil {
		return err
	}
	saved := d.candidate
	d.candidate, d.instances = app, max(size.Instances, 1)
	defer func() { d.candidate = saved }()
	return d.start(ctx)
}
