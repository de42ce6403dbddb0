package fakecf

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Deployments: as far as the rollout engine relies on them, a deployment adds a new web process
// beside the app's current one and is ACTIVE (DEPLOYING, or PAUSED at a canary step) until it
// finishes by itself (Finishes) or is cancelled; a cancel is two-phase (CANCELING, then CANCELED
// at the next read) and brings the old process back alone; DEPLOYED leaves the new process alone.
// A web process serves the routes mapped to its app while it is one of the app's current
// processes: the fake prober answers X-CF-Process-Instance backends from that.

type deployment struct {
	platform.Deployment
	app    string
	oldRev platform.Revision
}

// view is what a read returns: a copy that later changes do not reach.
func (dep *deployment) view() platform.Deployment {
	out := dep.Deployment
	out.NewProcesses, out.Annotations = slices.Clone(out.NewProcesses), maps.Clone(out.Annotations)
	return out
}

// current is the app's web processes (dmu held): its original one until a deployment changes them.
func (d *Foundation) current(appGUID string) []platform.Process {
	if procs, ok := d.processes[appGUID]; ok {
		return procs
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.apps[appGUID]
	if a == nil {
		return nil
	}
	return []platform.Process{{GUID: "process-of-" + a.GUID, Instances: a.Instances, MemoryMB: a.MemoryMB}}
}

// serves answers the prober: the app the process belongs to, and whether it is current.
func (d *Foundation) serves(processGUID string) (appGUID string, serving bool) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	d.mu.Lock()
	guids := slices.Collect(maps.Keys(d.apps))
	d.mu.Unlock()
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
func (d *Foundation) Deployments() []platform.Deployment {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	var out []platform.Deployment
	for _, dep := range d.deployments {
		out = append(out, dep.view())
	}
	slices.SortFunc(out, func(a, b platform.Deployment) int { return cmpString(a.GUID, b.GUID) })
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

func (d *Foundation) CreateDeployment(_ context.Context, r platform.DeploymentRequest) (platform.Deployment, error) {
	return read(d, &d.dmu, Call{Method: "CreateDeployment", Args: []string{r.AppGUID, string(r.Strategy)}}, func() (platform.Deployment, error) {
		old := d.current(r.AppGUID)
		if len(old) == 0 {
			return platform.Deployment{}, fmt.Errorf("CF-ResourceNotFound: app %s", r.AppGUID)
		}
		d.mu.Lock()
		guid := d.newGUID("deployment")
		d.mu.Unlock()
		revs := d.revisionsOf(r.AppGUID)
		dep := &deployment{app: r.AppGUID, oldRev: revs[len(revs)-1], Deployment: platform.Deployment{
			GUID: guid, Value: platform.DeploymentActive, Reason: platform.ReasonDeploying, NewProcesses: []string{"process-new-" + guid},
			DropletGUID: r.DropletGUID, RevisionVersion: len(revs) + 1, Annotations: maps.Clone(r.Annotations)}}
		if r.Strategy == platform.StrategyCanary {
			dep.Reason, dep.CanaryStep, dep.CanarySteps = platform.ReasonPaused, 1, max(len(r.CanarySteps), 1)
		}
		d.deployments[guid] = dep
		d.processes[r.AppGUID] = append(slices.Clone(old), platform.Process{GUID: dep.NewProcesses[0], Instances: 1})
		return dep.view(), nil
	})
}

// revisionsOf is the app's revisions (dmu held): one for its current droplet to begin with.
func (d *Foundation) revisionsOf(appGUID string) []platform.Revision {
	if revs, ok := d.revisions[appGUID]; ok {
		return revs
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.apps[appGUID]
	if a == nil {
		return nil
	}
	return []platform.Revision{{GUID: "revision-of-" + a.Droplet, Version: 1, DropletGUID: a.Droplet, Deployable: true}}
}

func (d *Foundation) Deployment(_ context.Context, guid string) (platform.Deployment, error) {
	return read(d, &d.dmu, Call{Method: "Deployment", Args: []string{guid}}, func() (platform.Deployment, error) {
		dep := d.deployments[guid]
		if dep == nil {
			return platform.Deployment{}, fmt.Errorf("CF-ResourceNotFound: deployment %s", guid)
		}
		switch {
		case dep.Reason == platform.ReasonCanceling:
			dep.Value, dep.Reason = platform.DeploymentFinalized, platform.ReasonCanceled
			d.processes[dep.app] = d.current(dep.app)[:1]
		case dep.Active() && dep.Reason != platform.ReasonPaused && d.Finishes: // a pause waits for continue
			d.deploy(dep)
		}
		return dep.view(), nil
	})
}

// deploy finishes a deployment (mu held): the new process alone, a new revision deployed.
func (d *Foundation) deploy(dep *deployment) {
	dep.Value, dep.Reason = platform.DeploymentFinalized, platform.ReasonDeployed
	procs := d.current(dep.app)
	last := procs[len(procs)-1]
	last.Instances = procs[0].Instances
	d.processes[dep.app] = []platform.Process{last}
	revs := d.revisionsOf(dep.app)
	d.revisions[dep.app] = append(slices.Clone(revs), platform.Revision{GUID: "revision-" + dep.GUID,
		Version: dep.RevisionVersion, DropletGUID: dep.DropletGUID, Deployable: true})
}

func (d *Foundation) ActiveDeployment(_ context.Context, appGUID string) (*platform.Deployment, error) {
	return read(d, &d.dmu, Call{Method: "ActiveDeployment", Args: []string{appGUID}}, func() (*platform.Deployment, error) {
		for _, dep := range d.deployments {
			if dep.app == appGUID && dep.Active() {
				out := dep.view()
				return &out, nil
			}
		}
		return nil, nil
	})
}

func (d *Foundation) CancelDeployment(_ context.Context, guid string) error {
	return d.changeDeployment("CancelDeployment", guid, func(dep *deployment) error {
		if !dep.Active() {
			return fmt.Errorf("CF-UnprocessableEntity: Cannot cancel a %s deployment", dep.Reason)
		}
		dep.Reason = platform.ReasonCanceling
		return nil
	})
}

func (d *Foundation) AnnotateDeployment(_ context.Context, guid string, annotations map[string]*string) error {
	return d.changeDeployment("AnnotateDeployment", guid, func(dep *deployment) error {
		if dep.Annotations == nil {
			dep.Annotations = map[string]string{}
		}
		for k, v := range annotations {
			if v == nil {
				delete(dep.Annotations, k)
			} else {
				dep.Annotations[k] = *v
			}
		}
		return nil
	})
}

func (d *Foundation) ContinueDeployment(_ context.Context, guid string) error {
	return d.changeDeployment("ContinueDeployment", guid, func(dep *deployment) error {
		if dep.Reason != platform.ReasonPaused {
			return fmt.Errorf("CF-UnprocessableEntity: Cannot continue a deployment that is not paused")
		}
		if dep.CanaryStep < dep.CanarySteps {
			dep.CanaryStep++
			return nil
		}
		dep.Reason = platform.ReasonDeploying // CAPI rolls on to the end; Finishes decides when
		return nil
	})
}

// changeDeployment records a call that changes a deployment and makes the change with dmu held;
// an unknown deployment is CC's 404.
func (d *Foundation) changeDeployment(method, guid string, change func(*deployment) error) error {
	c, err := d.record(Call{Method: method, Args: []string{guid}})
	if err != nil {
		return err
	}
	defer d.done(c)
	d.dmu.Lock()
	defer d.dmu.Unlock()
	dep := d.deployments[guid]
	if dep == nil {
		return fmt.Errorf("CF-ResourceNotFound: deployment %s", guid)
	}
	return change(dep)
}

func (d *Foundation) ProcessInstances(_ context.Context, processGUID string) ([]platform.Instance, error) {
	return read(d, &d.dmu, Call{Method: "ProcessInstances", Args: []string{processGUID}}, func() ([]platform.Instance, error) {
		for _, procs := range d.processes {
			for _, p := range procs {
				if p.GUID == processGUID {
					var out []platform.Instance
					for i := range p.Instances {
						out = append(out, platform.Instance{Index: i, State: platform.InstanceRunning, Routable: true})
					}
					return out, nil
				}
			}
		}
		return nil, nil
	})
}

func (d *Foundation) WebProcesses(_ context.Context, appGUID string) ([]platform.Process, error) {
	return read(d, &d.dmu, Call{Method: "WebProcesses", Args: []string{appGUID}}, func() ([]platform.Process, error) {
		return slices.Clone(d.current(appGUID)), nil
	})
}

func (d *Foundation) Revisions(_ context.Context, appGUID string) ([]platform.Revision, error) {
	return read(d, &d.dmu, Call{Method: "Revisions", Args: []string{appGUID}}, func() ([]platform.Revision, error) {
		return slices.Clone(d.revisionsOf(appGUID)), nil
	})
}

// SetEnvVars patches the app's env: a nil value removes the variable.
func (d *Foundation) SetEnvVars(_ context.Context, appGUID string, env map[string]*string) error {
	c, err := d.record(Call{Method: "SetEnvVars", Args: []string{appGUID}})
	if err != nil {
		return err
	}
	defer d.done(c)
	d.mu.Lock()
	defer d.mu.Unlock()
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
