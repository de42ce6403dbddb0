package bluegreen_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// fakeDeployer adds CAPI deployments to the fake platform, as far as the rollout engine relies
// on them: a deployment adds a new web process beside the app's current one and is ACTIVE
// (DEPLOYING, or PAUSED at a canary step) until it finishes by itself (Finishes) or is
// cancelled; a cancel is two-phase (CANCELING, then CANCELED at the next read) and brings the
// old process back alone; DEPLOYED leaves the new process alone. A web process serves the
// routes mapped to its app while it is one of the app's current processes: the fake prober
// answers X-CF-Process-Instance backends from that. Its calls go into the platform's log.
type fakeDeployer struct {
	*fakePlatform
	mu          sync.Mutex
	deployments map[string]*fakeDeployment
	processes   map[string][]cf.Process // app guid -> current web processes, oldest first
	revisions   map[string][]cf.Revision

	// Finishes makes a deployment DEPLOYED at its first read (CAPI done by itself); otherwise it
	// stays ACTIVE until cancelled.
	Finishes bool
}

type fakeDeployment struct {
	cf.Deployment
	app    string
	oldRev cf.Revision
}

func newFakeDeployer(f *fakePlatform, pr *fakeProber) *fakeDeployer {
	d := &fakeDeployer{fakePlatform: f, deployments: map[string]*fakeDeployment{},
		processes: map[string][]cf.Process{}, revisions: map[string][]cf.Revision{}}
	pr.processServes = d.serves
	return d
}

// current is the app's web processes (mu held): its original one until a deployment changes them.
func (d *fakeDeployer) current(appGUID string) []cf.Process {
	if procs, ok := d.processes[appGUID]; ok {
		return procs
	}
	d.fakePlatform.mu.Lock()
	defer d.fakePlatform.mu.Unlock()
	a := d.apps[appGUID]
	if a == nil {
		return nil
	}
	return []cf.Process{{GUID: "process-of-" + a.GUID, Instances: a.Instances, MemoryMB: a.MemoryMB}}
}

// serves answers the prober: the app the process belongs to, and whether it is current.
func (d *fakeDeployer) serves(processGUID string) (appGUID string, serving bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fakePlatform.mu.Lock()
	guids := slices.Collect(maps.Keys(d.apps))
	d.fakePlatform.mu.Unlock()
	for _, g := range guids {
		for _, p := range d.current(g) {
			if p.GUID == processGUID {
				return g, true
			}
		}
	}
	for _, dep := range d.deployments {
		if slices.Contains(dep.NewProcesses, processGUID) || processGUID == "process-of-"+dep.app {
			return dep.app, false
		}
	}
	return "", false
}

// Deployments lists every deployment made, in creation order of their guids.
func (d *fakeDeployer) Deployments() []cf.Deployment {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []cf.Deployment
	for _, dep := range d.deployments {
		out = append(out, dep.Deployment)
	}
	slices.SortFunc(out, func(a, b cf.Deployment) int { return cmpString(a.GUID, b.GUID) })
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (d *fakeDeployer) CreateDeployment(_ context.Context, r cf.DeploymentRequest) (cf.Deployment, error) {
	c, err := d.record(Call{Method: "CreateDeployment", Args: []string{r.AppGUID, r.Strategy}})
	if err != nil {
		return cf.Deployment{}, err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.current(r.AppGUID)
	if len(old) == 0 {
		return cf.Deployment{}, fmt.Errorf("CF-ResourceNotFound: app %s", r.AppGUID)
	}
	d.fakePlatform.mu.Lock()
	guid := d.newGUID("deployment")
	d.fakePlatform.mu.Unlock()
	revs := d.revisionsOf(r.AppGUID)
	dep := &fakeDeployment{app: r.AppGUID, oldRev: revs[len(revs)-1], Deployment: cf.Deployment{
		GUID: guid, Value: "ACTIVE", Reason: "DEPLOYING", NewProcesses: []string{"process-new-" + guid},
		DropletGUID: r.DropletGUID, RevisionVersion: len(revs) + 1}}
	if r.Strategy == "canary" {
		dep.Reason, dep.CanaryStep, dep.CanarySteps = "PAUSED", 1, max(len(r.CanarySteps), 1)
	}
	d.deployments[guid] = dep
	d.processes[r.AppGUID] = append(slices.Clone(old), cf.Process{GUID: dep.NewProcesses[0], Instances: 1})
	return dep.Deployment, nil
}

// revisionsOf is the app's revisions (mu held): one for its current droplet to begin with.
func (d *fakeDeployer) revisionsOf(appGUID string) []cf.Revision {
	if revs, ok := d.revisions[appGUID]; ok {
		return revs
	}
	d.fakePlatform.mu.Lock()
	defer d.fakePlatform.mu.Unlock()
	a := d.apps[appGUID]
	if a == nil {
		return nil
	}
	return []cf.Revision{{GUID: "revision-of-" + a.Droplet, Version: 1, DropletGUID: a.Droplet, Deployable: true}}
}

func (d *fakeDeployer) Deployment(_ context.Context, guid string) (cf.Deployment, error) {
	c, err := d.record(Call{Method: "Deployment", Args: []string{guid}})
	if err != nil {
		return cf.Deployment{}, err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	dep := d.deployments[guid]
	if dep == nil {
		return cf.Deployment{}, fmt.Errorf("CF-ResourceNotFound: deployment %s", guid)
	}
	switch {
	case dep.Reason == "CANCELING":
		dep.Value, dep.Reason = "FINALIZED", "CANCELED"
		d.processes[dep.app] = d.current(dep.app)[:1]
	case dep.Value == "ACTIVE" && d.Finishes:
		d.deploy(dep)
	}
	return dep.Deployment, nil
}

// deploy finishes a deployment (mu held): the new process alone, a new revision deployed.
func (d *fakeDeployer) deploy(dep *fakeDeployment) {
	dep.Value, dep.Reason = "FINALIZED", "DEPLOYED"
	procs := d.current(dep.app)
	last := procs[len(procs)-1]
	last.Instances = procs[0].Instances
	d.processes[dep.app] = []cf.Process{last}
	revs := d.revisionsOf(dep.app)
	d.revisions[dep.app] = append(slices.Clone(revs), cf.Revision{GUID: "revision-" + dep.GUID,
		Version: dep.RevisionVersion, DropletGUID: dep.DropletGUID, Deployable: true})
}

func (d *fakeDeployer) ActiveDeployment(_ context.Context, appGUID string) (*cf.Deployment, error) {
	c, err := d.record(Call{Method: "ActiveDeployment", Args: []string{appGUID}})
	if err != nil {
		return nil, err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, dep := range d.deployments {
		if dep.app == appGUID && dep.Value == "ACTIVE" {
			out := dep.Deployment
			return &out, nil
		}
	}
	return nil, nil
}

func (d *fakeDeployer) CancelDeployment(_ context.Context, guid string) error {
	c, err := d.record(Call{Method: "CancelDeployment", Args: []string{guid}})
	if err != nil {
		return err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	dep := d.deployments[guid]
	if dep == nil || dep.Value != "ACTIVE" {
		return fmt.Errorf("CF-UnprocessableEntity: Cannot cancel a %s deployment", dep.Reason)
	}
	dep.Reason = "CANCELING"
	return nil
}

func (d *fakeDeployer) ContinueDeployment(_ context.Context, guid string) error {
	c, err := d.record(Call{Method: "ContinueDeployment", Args: []string{guid}})
	if err != nil {
		return err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	dep := d.deployments[guid]
	if dep == nil || dep.Reason != "PAUSED" {
		return fmt.Errorf("CF-UnprocessableEntity: Cannot continue a deployment that is not paused")
	}
	if dep.CanaryStep < dep.CanarySteps {
		dep.CanaryStep++
		return nil
	}
	d.deploy(dep)
	return nil
}

func (d *fakeDeployer) ProcessInstances(_ context.Context, processGUID string) ([]cf.Instance, error) {
	c, err := d.record(Call{Method: "ProcessInstances", Args: []string{processGUID}})
	if err != nil {
		return nil, err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, procs := range d.processes {
		for _, p := range procs {
			if p.GUID == processGUID {
				var out []cf.Instance
				for i := range p.Instances {
					out = append(out, cf.Instance{Index: i, State: "RUNNING", Routable: true})
				}
				return out, nil
			}
		}
	}
	return nil, nil
}

func (d *fakeDeployer) WebProcesses(_ context.Context, appGUID string) ([]cf.Process, error) {
	c, err := d.record(Call{Method: "WebProcesses", Args: []string{appGUID}})
	if err != nil {
		return nil, err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.current(appGUID)), nil
}

func (d *fakeDeployer) Revisions(_ context.Context, appGUID string) ([]cf.Revision, error) {
	c, err := d.record(Call{Method: "Revisions", Args: []string{appGUID}})
	if err != nil {
		return nil, err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.revisionsOf(appGUID)), nil
}

// SetEnvVars patches the app's env: a nil value removes the variable.
func (d *fakeDeployer) SetEnvVars(_ context.Context, appGUID string, env map[string]*string) error {
	c, err := d.record(Call{Method: "SetEnvVars", Args: []string{appGUID}})
	if err != nil {
		return err
	}
	defer d.done(c)
	d.fakePlatform.mu.Lock()
	defer d.fakePlatform.mu.Unlock()
	a, err := d.app(appGUID)
	if err != nil {
		return err
	}
	for k, v := range env {
		if v == nil {
			delete(a.Env, k)
		} else {
			a.Env[k] = *v
		}
	}
	return nil
}
