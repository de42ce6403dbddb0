package fakecf

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func (f *Foundation) WebProcess(_ context.Context, appGUID string) (platform.Process, error) {
	return read(f, &f.mu, Call{Method: "WebProcess", Args: []string{appGUID}}, func() (platform.Process, error) {
		a, err := f.app(appGUID)
		if err != nil {
			return platform.Process{}, err
		}
		return platform.Process{GUID: "process-of-" + a.GUID, Instances: a.Instances, MemoryMB: a.MemoryMB}, nil
	})
}

// instanceStates is what CC reports for the app now (mu held).
func (f *Foundation) instanceStates(a *App) []string {
	if a.State != string(platform.AppStarted) {
		return slices.Repeat([]string{string(platform.InstanceDown)}, a.Instances)
	}
	if s, ok := f.InstanceStates[a.Name]; ok {
		return s
	}
	return slices.Repeat([]string{string(platform.InstanceRunning)}, a.Instances)
}

func (f *Foundation) Instances(_ context.Context, appGUID string) ([]platform.Instance, error) {
	return read(f, &f.mu, Call{Method: "Instances", Args: []string{appGUID}}, func() ([]platform.Instance, error) {
		a, err := f.app(appGUID)
		if err != nil {
			return nil, err
		}
		var out []platform.Instance
		for i, s := range f.instanceStates(a) {
			out = append(out, platform.Instance{Index: i, State: platform.InstanceState(s), Routable: s == string(platform.InstanceRunning)})
		}
		return out, nil
	})
}

func (f *Foundation) CrashReasons(_ context.Context, appGUID string) ([]string, error) {
	return read(f, &f.mu, Call{Method: "CrashReasons", Args: []string{appGUID}}, func() ([]string, error) {
		a, err := f.app(appGUID)
		if err != nil {
			return nil, err
		}
		return slices.Clone(f.Crashes[a.Name]), nil
	})
}

// AppProcesses lists the web process and the others, web first, the others by type.
func (f *Foundation) AppProcesses(_ context.Context, appGUID string) ([]platform.Process, error) {
	return read(f, &f.mu, Call{Method: "AppProcesses", Args: []string{appGUID}}, func() ([]platform.Process, error) {
		a, err := f.app(appGUID)
		if err != nil {
			return nil, err
		}
		out := []platform.Process{a.web()}
		for _, t := range slices.Sorted(maps.Keys(a.Others)) {
			out = append(out, *a.Others[t])
		}
		return out, nil
	})
}

// TypeInstances reports a process type's instances: web as Instances does, the others from
// TypeStates (default all RUNNING once started).
func (f *Foundation) TypeInstances(ctx context.Context, appGUID, processType string) ([]platform.Instance, error) {
	if processType == "web" {
		return f.Instances(ctx, appGUID)
	}
	return read(f, &f.mu, Call{Method: "TypeInstances", Args: []string{appGUID, processType}}, func() ([]platform.Instance, error) {
		a, err := f.app(appGUID)
		if err != nil {
			return nil, err
		}
		p := a.Others[processType]
		if p == nil {
			return nil, fmt.Errorf("CF-ResourceNotFound: process %s of app %s", processType, appGUID)
		}
		states := slices.Repeat([]string{string(platform.InstanceRunning)}, p.Instances)
		if s, ok := f.TypeStates[a.Name+"/"+processType]; ok {
			states = s
		}
		if a.State != string(platform.AppStarted) {
			states = slices.Repeat([]string{string(platform.InstanceDown)}, p.Instances)
		}
		var out []platform.Instance
		for i, s := range states {
			out = append(out, platform.Instance{Index: i, State: platform.InstanceState(s)})
		}
		return out, nil
	})
}

// ScaleProcess changes the fields given of a process (by guid).
func (f *Foundation) ScaleProcess(_ context.Context, processGUID string, s platform.Scale) error {
	return f.locked(Call{Method: "ScaleProcess", Args: []string{processGUID}}, func() error {
		for _, a := range f.apps {
			if processGUID == "process-of-"+a.GUID {
				web := a.web()
				s.Apply(&web)
				a.setWeb(web)
				return nil
			}
			for _, p := range a.Others {
				if p.GUID == processGUID {
					s.Apply(p)
					return nil
				}
			}
		}
		return fmt.Errorf("CF-ResourceNotFound: process %s", processGUID)
	})
}

// web is the app's web process, whose size the app itself holds.
func (a *App) web() platform.Process {
	return platform.Process{GUID: "process-of-" + a.GUID, Type: "web", Instances: a.Instances, MemoryMB: a.MemoryMB,
		DiskMB: a.DiskMB, LogRateLimit: a.LogRateLimit}
}

// setWeb sets the web process's size on the app.
func (a *App) setWeb(p platform.Process) {
	a.Instances, a.MemoryMB, a.DiskMB, a.LogRateLimit = p.Instances, p.MemoryMB, p.DiskMB, p.LogRateLimit
}

// SeedProcess gives an app a process type besides web (a worker), as its droplet would.
func (f *Foundation) SeedProcess(appGUID, processType string, instances, memoryMB int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.apps[appGUID]
	if a.Others == nil {
		a.Others = map[string]*platform.Process{}
	}
	a.Others[processType] = &platform.Process{GUID: "process-" + processType + "-of-" + a.GUID, Type: processType,
		Instances: instances, MemoryMB: memoryMB, DiskMB: 1024, LogRateLimit: -1}
}

// SetTypeStates sets the instance states a process type reports once started ("app name/type").
func (f *Foundation) SetTypeStates(key string, states ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.TypeStates[key] = states
}

// ProcessesOf lists an app's process types as "type:instances×memory", web first.
func (f *Foundation) ProcessesOf(appGUID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.apps[appGUID]
	out := []string{fmt.Sprintf("web:%d×%dM", a.Instances, a.MemoryMB)}
	for _, t := range slices.Sorted(maps.Keys(a.Others)) {
		out = append(out, fmt.Sprintf("%s:%d×%dM", t, a.Others[t].Instances, a.Others[t].MemoryMB))
	}
	return out
}
