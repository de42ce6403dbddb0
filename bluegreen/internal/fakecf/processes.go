package fakecf

import (
	"context"
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
