package resource

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/candidate"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/maintenance"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/release"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/rollout"
)

// validateApps checks params.apps on its own: the manifest is read later.
func (p OutParams) validateApps() error {
	switch {
	case len(p.Apps) == 0:
		return nil
	case p.AppName != "":
		return fmt.Errorf("params.apps: set either app_name (one app) or apps (a release of several), not both")
	}
	for i, name := range p.Apps {
		if name == "" {
			return fmt.Errorf("params.apps[%d]: empty app name", i)
		}
		if slices.Index(p.Apps, name) != i {
			return fmt.Errorf("params.apps[%d]: %q is named twice", i, name)
		}
	}
	return nil
}

// releaseRefusals refuses, for a release of several apps, the params that name one app's
// things, and checks source.app_name names an app of the release (the put's version is that
// app's, for check and in).
func releaseRefusals(req OutRequest, apps []*manifest.App) error {
	p := req.Params
	if len(apps) < 2 {
		if apps[0].NoRoute && len(p.SmokeChecks) > 0 {
			return fmt.Errorf("params.smoke_checks: app %s has no routes (no-route in the manifest): there is nothing to check", apps[0].Name)
		}
		if p.Migration != nil && p.Migration.App != "" && p.Migration.App != apps[0].Name {
			return fmt.Errorf("params.migration.app: %q is not the app this put deploys (%s)", p.Migration.App, apps[0].Name)
		}
		return nil
	}
	names := appNames(apps)
	list := strings.Join(names, ", ")
	switch {
	case p.Path != "":
		return fmt.Errorf("params.path: the manifest releases %s: give each app its path in the manifest", list)
	case p.Droplet != "":
		return fmt.Errorf("params.droplet: one droplet is one app's bits, and the manifest releases %s: set app_name", list)
	case p.TemporaryRoute != "":
		return fmt.Errorf("params.temporary_route: one host cannot serve the candidates of %s: leave it unset (each gets APP-candidate-SPACE)", list)
	case p.Action != bluegreen.ActionDeploy:
		return fmt.Errorf("params.action: %s acts on one app, and the manifest releases %s: set app_name", p.Action, list)
	case p.Migration != nil && !slices.Contains(names, p.Migration.App):
		return fmt.Errorf("params.migration.app: the manifest releases %s: name the app whose new droplet runs the migration", list)
	case req.Source.AppName != "" && !slices.Contains(names, req.Source.AppName):
		return fmt.Errorf("source.app_name: %q is not released by this put (%s): the put's version is source.app_name's", req.Source.AppName, list)
	}
	return nil
}

func appNames(apps []*manifest.App) []string {
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.Name
	}
	return out
}

// deployRelease releases several apps together, all or nothing (bluegreen/release). A
// maintenance switch has nothing to undo: each app's switch is journaled and converges on a
// rerun, so the apps are switched one after the other.
func deployRelease(ctx context.Context, f bluegreen.Foundation, plans []putPlan, timeline *bluegreen.Timeline) ([]bluegreen.Result, error) {
	if plans[0].maintenance != nil {
		return switchAll(ctx, f, plans, timeline)
	}
	apps := make([]release.App, len(plans))
	for i, plan := range plans {
		apps[i] = release.App{Name: plan.target.App, Deploy: flowOf(f, plan)}
	}
	return release.Release(ctx, apps, timeline)
}

// flowOf is one app's flow, to run under a release's hold.
func flowOf(f bluegreen.Foundation, plan putPlan) func(context.Context, bluegreen.Hold, *bluegreen.Timeline) (bluegreen.Result, error) {
	return func(ctx context.Context, hold bluegreen.Hold, log *bluegreen.Timeline) (bluegreen.Result, error) {
		if plan.strategy == bluegreen.StrategyBlueGreen {
			o := plan.blueGreen
			o.Hold = hold
			return candidate.Deploy(ctx, f.CC, f.Probe, o, log)
		}
		o := plan.rollout
		o.Hold = hold
		return rollout.Rollout(ctx, f.CC, f.Probe, o, log)
	}
}

func switchAll(ctx context.Context, f bluegreen.Foundation, plans []putPlan, timeline *bluegreen.Timeline) ([]bluegreen.Result, error) {
	var out []bluegreen.Result
	for _, plan := range plans {
		res, err := maintenance.Switch(ctx, f.CC, f.Probe, *plan.maintenance, timeline.For(plan.target.App))
		out = append(out, res)
		if err != nil {
			return out, fmt.Errorf("%s: %w", plan.target.App, err)
		}
	}
	return out, nil
}
