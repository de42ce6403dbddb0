package resource

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/candidate"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/maintenance"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/rollout"
)

// putPlan is what the put will do, fully decided before anything changes: one flow's options.
type putPlan struct {
	strategy    bluegreen.Strategy
	target      bluegreen.Target
	blueGreen   candidate.Options
	rollout     rollout.Options
	maintenance *maintenance.Options
	droplet     *bluegreen.DropletBits // a promoted droplet, for the metadata
	image       string                 // a docker image, for the metadata
}

// buildPlans reads the manifest, vars and bits from the inputs folder and turns the params
// into the engine's options: one plan per app the put deploys (several for a release of a
// multi-app manifest). It changes nothing anywhere. It also returns the values that must never
// be printed (vars, env values).
func buildPlans(req OutRequest, dir string, env Env) ([]putPlan, []string, error) {
	p := req.Params
	if p.Manifest == "" {
		plan, secrets, err := buildPlan(req, dir, env, nil)
		return []putPlan{plan}, secrets, err
	}
	apps, err := loadManifest(p, dir)
	if err != nil {
		return nil, secretValues(p, dir, nil), err
	}
	if err := releaseRefusals(req, apps); err != nil {
		return nil, secretValues(p, dir, nil), err
	}
	var plans []putPlan
	var secrets []string
	for _, app := range apps {
		plan, s, err := buildPlan(req, dir, env, app)
		secrets = append(secrets, s...)
		if err != nil {
			return nil, secrets, err
		}
		if len(apps) > 1 {
			forRelease(&plan, p, app)
		}
		plans = append(plans, plan)
	}
	return plans, secrets, nil
}

// buildPlan is the plan for one app of the manifest (nil: an action or maintenance on
// params.app_name, without a manifest).
func buildPlan(req OutRequest, dir string, env Env, app *manifest.App) (putPlan, []string, error) {
	p := req.Params
	target := bluegreen.Target{App: p.AppName, Org: req.Source.Organization, Space: req.Source.Space}
	var push bluegreen.Push
	if app != nil {
		target.App = app.Name
		push = bluegreen.Push{Manifest: app, Routes: app.Routes, RouteProtocols: app.Protocols, NoRoute: app.NoRoute,
			ManifestEnv: app.Env, InstancesHint: app.Instances, MemoryHint: app.MemoryMB, Sizes: sizes(app),
			Services: app.Services}
	}
	push.Env = p.EnvironmentVariables
	secrets := secretValues(p, dir, app)
	image, err := dockerImage(p, app)
	if err != nil {
		return putPlan{}, secrets, err
	}
	bits, err := pushBits(p, dir, app, image)
	if err != nil {
		return putPlan{}, secrets, err
	}
	push.Bits = bits
	plan := flowOptions(req, env, target, push)
	if p.Maintenance != nil {
		m, err := maintenanceOptions(p, target, dir)
		if err != nil {
			return putPlan{}, secrets, err
		}
		plan.maintenance = &m
	}
	return plan, secrets, nil
}

// forRelease fits one app's plan into a release: the smoke checks are for the apps with
// routes, the migration for the app params.migration.app names.
func forRelease(plan *putPlan, p OutParams, app *manifest.App) {
	if app.NoRoute {
		plan.blueGreen.Checks, plan.rollout.Checks = nil, nil
	}
	if p.Migration != nil && p.Migration.App != app.Name {
		plan.blueGreen.Migration, plan.rollout.Migration = nil, nil
	}
}

// migration is the migration task to run, nil without one. Its sizes were checked.
func migration(m *MigrationParams) *bluegreen.Migration {
	if m == nil {
		return nil
	}
	mem, _ := manifest.Megabytes(m.Memory)
	disk, _ := manifest.Megabytes(m.DiskQuota)
	name := m.Name
	if name == "" {
		name = "migrate"
	}
	return &bluegreen.Migration{Name: name, Command: m.Command, MemoryMB: mem, DiskMB: disk,
		Timeout: durOr(m.Timeout, DefaultMigrationTimeout)}
}

// sizes is what the manifest says of each process type's size: the web process at its top
// level (or in a processes entry of type web), the others in their processes entries.
func sizes(app *manifest.App) map[string]platform.Scale {
	out := map[string]platform.Scale{"web": scaleOf(app.ProcessSpec)}
	for _, p := range app.Processes {
		out[p.Type] = scaleOf(p.ProcessSpec)
	}
	return out
}

func scaleOf(s manifest.ProcessSpec) platform.Scale {
	return platform.Scale{Instances: s.Instances, MemoryMB: s.MemoryMB, DiskMB: s.DiskMB, LogRateLimit: s.LogRateLimit}
}

// timeouts bound each phase, from the params or their defaults.
func timeouts(p OutParams) bluegreen.Timeouts {
	return bluegreen.Timeouts{
		Staging: durOr(p.StagingTimeout, DefaultStagingTimeout), Startup: durOr(p.StartupTimeout, DefaultStartupTimeout),
		Verify: durOr(p.VerifyTimeout, DefaultVerifyTimeout), Overall: durOr(p.Timeout, DefaultTimeout),
		Lease: durOr(p.LeaseTimeout, DefaultLeaseTimeout),
	}
}

// pushBits are the new version's bits: a promoted droplet, a docker image, or the app folder or
// archive. An action or a maintenance switch deploys none.
func pushBits(p OutParams, dir string, app *manifest.App, image *platform.DockerImage) (bluegreen.Bits, error) {
	switch {
	case app == nil || p.Maintenance != nil:
		return bluegreen.Bits{}, nil
	case p.Droplet != "":
		d, err := dropletBits(dir, p.Droplet)
		return bluegreen.Bits{Droplet: d}, err
	case p.Action != bluegreen.ActionDeploy:
		return bluegreen.Bits{}, nil
	case image != nil:
		return bluegreen.Bits{Docker: image}, nil
	}
	src, err := appSource(p, dir, app)
	if err != nil {
		return bluegreen.Bits{}, err
	}
	return bluegreen.Bits{Zip: func(w io.Writer) error { return manifest.WriteZip(w, src) }, Files: appFiles(src)}, nil
}

// flowOptions turns the params into the chosen flow's options.
func flowOptions(req OutRequest, env Env, target bluegreen.Target, push bluegreen.Push) putPlan {
	p := req.Params
	timeouts := timeouts(p)
	plan := putPlan{strategy: p.StrategyOrDefault(), target: target, droplet: push.Bits.Droplet}
	if push.Bits.Docker != nil {
		plan.image = push.Bits.Docker.Image
	}
	checks, observe, build := smokeChecks(p.SmokeChecks), observation(p.Observe), buildInfo(env)
	if observe != nil {
		observe.Analysis = analysisConfig(p.Analysis)
	}
	switch plan.strategy {
	case bluegreen.StrategyBlueGreen:
		plan.blueGreen = candidate.Options{Target: target, Push: push, InheritEnv: p.InheritEnv == nil || *p.InheritEnv,
			TemporaryHost: p.TemporaryRoute, KeepPrevious: intOr(p.KeepPrevious, DefaultKeepPrevious), KeepFailed: p.KeepFailed,
			Timeouts: timeouts, Drain: durOr(p.Drain, DefaultDrain), Checks: checks, Observe: observe,
			LeaseTTL: durOr(p.LeaseTTL, DefaultLeaseTTL), Build: build, Settle: durOr(p.Settle, DefaultSettle),
			InternalGrace: durOr(p.InternalRouteGrace, DefaultInternalRouteGrace), ExactRoutes: p.ExactRoutes,
			Migration: migration(p.Migration)}
	default:
		plan.rollout = rollout.Options{Target: target, Push: push, Strategy: platform.DeploymentStrategy(plan.strategy),
			MaxInFlight: intOr(p.MaxInFlight, 1), Pace: rollout.Pace(p.Pace), CanarySteps: p.CanarySteps, CanaryPause: durOr(p.CanaryPause, 0),
			Analysis: analysisConfig(p.Analysis),
			Action:   p.Action, RollbackTo: intOr(p.Revision, 0), WaitActive: p.OnActiveDeployment != "fail",
			LeaseTTL: durOr(p.LeaseTTL, DefaultLeaseTTL),
			Timeouts: timeouts, Checks: checks, Observe: observe, Build: build, Settle: durOr(p.Settle, DefaultSettle),
			Migration: migration(p.Migration)}
	}
	return plan
}

// loadManifest reads the manifest and picks the apps to deploy: params.app_name's, the
// params.apps, or every app.
func loadManifest(p OutParams, dir string) ([]*manifest.App, error) {
	path, err := inputPath("params.manifest", dir, p.Manifest)
	if err != nil {
		return nil, err
	}
	var files []string
	for i, f := range p.VarsFiles {
		vf, err := inputPath(fmt.Sprintf("params.vars_files[%d]", i), dir, f)
		if err != nil {
			return nil, err
		}
		files = append(files, vf)
	}
	m, err := manifest.Load(path, p.Vars, files)
	if err != nil {
		return nil, fmt.Errorf("params.manifest: %w", err)
	}
	if p.AppName != "" {
		app, err := m.Select(p.AppName)
		if err != nil {
			return nil, fmt.Errorf("params.app_name: %w", err)
		}
		return []*manifest.App{app}, nil
	}
	apps, err := m.SelectAll(p.Apps)
	var unknown *manifest.IndexError
	if errors.As(err, &unknown) {
		return nil, fmt.Errorf("params.apps[%d]: %w", unknown.Index, unknown.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("params.manifest: %w", err)
	}
	return apps, nil
}

func appSource(p OutParams, dir string, app *manifest.App) (manifest.Source, error) {
	override := ""
	if p.Path != "" {
		var err error
		if override, err = inputPath("params.path", dir, p.Path); err != nil {
			return manifest.Source{}, err
		}
	}
	path := app.SourcePath(override)
	// The manifest's own path comes from the inputs too, and stays in them like a param's.
	if override == "" && !within(mustAbs(dir), mustAbs(path)) {
		rel, _ := filepath.Rel(dir, path)
		return manifest.Source{}, fmt.Errorf("params.manifest: path %q leaves the inputs folder", rel)
	}
	src, err := manifest.ResolveSource(path)
	if err != nil {
		field := "params.path"
		if p.Path == "" {
			field = "params.manifest: path"
		}
		return manifest.Source{}, fmt.Errorf("%s: %w", field, err)
	}
	return src, nil
}

func smokeChecks(in []SmokeCheck) []probe.Check {
	var out []probe.Check
	for _, c := range in {
		out = append(out, probe.Check{Path: c.Path, Status: c.Status, BodyContains: c.BodyContains,
			Header: c.Header, HeaderValue: c.HeaderValue, Successes: c.Successes, FailureLimit: c.FailureLimit})
	}
	return out
}

func observation(o *Observe) *bluegreen.Observation {
	if o == nil {
		return nil
	}
	return &bluegreen.Observation{
		Duration: time.Duration(o.Duration), Interval: durOr(o.Interval, time.Second), FailureLimit: o.FailureLimit,
		Check: probe.Check{Path: o.Path, Status: o.Status, Successes: 1, FailureLimit: 1},
	}
}

// buildInfo names the Concourse build in annotations; every variable is optional.
func buildInfo(env Env) bluegreen.Build {
	out := bluegreen.Build{}
	for key, name := range map[string]string{"build-team": "BUILD_TEAM_NAME", "build-pipeline": "BUILD_PIPELINE_NAME",
		"build-job": "BUILD_JOB_NAME", "build-name": "BUILD_NAME", "build-id": "BUILD_ID"} {
		if v := env(name); v != "" {
			out[key] = v
		}
	}
	if u := env("ATC_EXTERNAL_URL"); u != "" && env("BUILD_ID") != "" {
		out["build-url"] = u + "/builds/" + env("BUILD_ID")
	}
	return out
}

// secretValues are the vars (nested values and the vars files' too) and the env values:
// any of them may hold a credential.
func secretValues(p OutParams, dir string, app *manifest.App) []string {
	var files []string
	for _, f := range p.VarsFiles {
		if vf, err := inputPath("params.vars_files", dir, f); err == nil {
			files = append(files, vf)
		}
	}
	// A vars file that cannot be read has failed the manifest already; what was read counts.
	out, _ := manifest.Values(p.Vars, files)
	for _, v := range p.EnvironmentVariables {
		out = append(out, v)
	}
	if app != nil {
		for _, v := range app.Env {
			out = append(out, v)
		}
	}
	return out
}

func intOr(p *int, d int) int {
	if p == nil {
		return d
	}
	return *p
}

func durOr(p *Duration, d time.Duration) time.Duration {
	if p == nil {
		return d
	}
	return time.Duration(*p)
}

// dropletBits reads a droplet from the inputs (an `in` with download_droplet): its process
// types from droplet.json beside it, when there, and its checksum for the metadata.
func dropletBits(dir, pattern string) (*bluegreen.DropletBits, error) {
	path, err := inputPath("params.droplet", dir, pattern)
	if err != nil {
		return nil, err
	}
	sum, err := sha256File(path)
	if err != nil {
		return nil, fmt.Errorf("params.droplet: %w", err)
	}
	d := &bluegreen.DropletBits{SHA256: sum, ProcessTypes: map[string]string{"web": ""},
		Write: func(w io.Writer) error { return copyFile(w, path) }}
	if data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "droplet.json")); err == nil {
		var meta struct {
			ProcessTypes map[string]string `json:"process_types"`
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			return nil, fmt.Errorf("params.droplet: droplet.json beside it: %w", err)
		}
		if len(meta.ProcessTypes) > 0 {
			d.ProcessTypes = meta.ProcessTypes
		}
	}
	return d, nil
}

func sha256File(path string) (string, error) {
	h := sha256.New()
	if err := copyFile(h, path); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
