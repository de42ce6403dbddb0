package fakecf

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func (f *Foundation) Space(_ context.Context, org, space string) (platform.Space, error) {
	c, err := f.record(Call{Method: "Space", Args: []string{org, space}})
	if err != nil {
		return platform.Space{}, err
	}
	defer f.done(c)
	if org != f.space.OrgName {
		return platform.Space{}, fmt.Errorf("organization %q: %w", org, platform.ErrNoOrg)
	}
	if space != f.space.Name {
		return platform.Space{}, fmt.Errorf("space %q in organization %q: %w", space, org, platform.ErrNoSpace)
	}
	return f.space, nil
}

func (f *Foundation) AppByName(_ context.Context, space, name string) (*platform.App, error) {
	return read(f, &f.mu, Call{Method: "AppByName", Args: []string{space, name}}, func() (*platform.App, error) {
		if a := f.byName(name); a != nil {
			return a.toCF(), nil
		}
		return nil, nil
	})
}

func (f *Foundation) App(_ context.Context, guid string) (*platform.App, error) {
	return read(f, &f.mu, Call{Method: "App", Args: []string{guid}}, func() (*platform.App, error) {
		if a := f.apps[guid]; a != nil {
			return a.toCF(), nil
		}
		return nil, nil
	})
}

func (f *Foundation) AppsWithLabel(_ context.Context, space, key, value string) ([]*platform.App, error) {
	return read(f, &f.mu, Call{Method: "AppsWithLabel", Args: []string{space, key + "=" + value}}, func() ([]*platform.App, error) {
		out := []*platform.App{}
		for _, a := range f.apps {
			if v, ok := a.Labels[key]; ok && v == value {
				out = append(out, a.toCF())
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].GUID < out[j].GUID })
		return out, nil
	})
}

func (f *Foundation) CreateApp(_ context.Context, space, name string, labels, annotations map[string]string) (*platform.App, error) {
	return f.createApp(Call{Method: "CreateApp", Args: []string{space, name}, Labels: maps.Clone(labels),
		Annotations: maps.Clone(annotations)}, platform.LifecycleBuildpack)
}

// CreateDockerApp creates an app of the docker lifecycle, which apply_manifest's docker key
// then fits and a docker package stages on.
func (f *Foundation) CreateDockerApp(_ context.Context, space, name string, labels, annotations map[string]string) (*platform.App, error) {
	return f.createApp(Call{Method: "CreateDockerApp", Args: []string{space, name}, Labels: maps.Clone(labels),
		Annotations: maps.Clone(annotations)}, platform.LifecycleDocker)
}

func (f *Foundation) createApp(call Call, lifecycle platform.Lifecycle) (*platform.App, error) {
	c, err := f.record(call)
	if err != nil {
		return nil, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byName(c.Args[1]) != nil {
		return nil, platform.ErrNameTaken
	}
	a := &App{GUID: f.newGUID("app"), Name: c.Args[1], State: string(platform.AppStopped), Lifecycle: lifecycle,
		Labels: maps.Clone(c.Labels), Annotations: maps.Clone(c.Annotations), Env: map[string]string{}, Instances: 1,
		MemoryMB: 1024, LogRateLimit: -1, Created: time.Now()}
	if a.Labels == nil {
		a.Labels = map[string]string{}
	}
	if a.Annotations == nil {
		a.Annotations = map[string]string{}
	}
	f.apps[a.GUID] = a
	f.noteCreated(c, a.GUID)
	return a.toCF(), nil
}

// noteCreated writes the guid of the app a creation made into its entry of the log (mu held),
// so specs can find an app by its creation even when nothing else was done to it.
func (f *Foundation) noteCreated(c Call, guid string) {
	for i := len(f.calls) - 1; i >= 0; i-- {
		if e := &f.calls[i]; e.Method == c.Method && slices.Equal(e.Args, c.Args) && e.Created == "" {
			e.Created = guid
			return
		}
	}
}

func (f *Foundation) Update(_ context.Context, guid, name string, labels, annotations map[string]*string) error {
	c, err := f.record(Call{Method: "Update", Args: []string{guid, name}, UpdLabels: labels, UpdAnnotations: annotations})
	if err != nil {
		return err
	}
	f.mu.Lock()
	a, err := f.app(guid)
	if err == nil && name == "" {
		err = errors.New("CF-UnprocessableEntity: Name can't be blank")
	}
	if err == nil && name != a.Name && f.byName(name) != nil {
		f.Collisions = append(f.Collisions, name)
		err = errUniqueness(name)
	}
	if err != nil {
		f.mu.Unlock()
		return err
	}
	a.Name = name
	for k, v := range labels {
		if v == nil {
			delete(a.Labels, k)
		} else {
			a.Labels[k] = *v
		}
	}
	for k, v := range annotations {
		if v == nil {
			delete(a.Annotations, k)
		} else {
			a.Annotations[k] = *v
		}
	}
	f.mu.Unlock()
	f.done(c)
	return nil
}

func (f *Foundation) DeleteApp(_ context.Context, guid string) error {
	return f.locked(Call{Method: "DeleteApp", Args: []string{guid}}, func() error {
		delete(f.apps, guid)
		for _, r := range f.routes {
			delete(r.Dests, guid)
		}
		f.unbindApp(guid)
		return nil
	})
}

func (f *Foundation) Start(_ context.Context, guid string) error {
	return f.locked(Call{Method: "Start", Args: []string{guid}}, func() error {
		a, err := f.app(guid)
		if err != nil {
			return err
		}
		if a.Droplet == "" {
			return errors.New("CF-UnprocessableEntity: Assign a droplet before starting this app.")
		}
		a.State = string(platform.AppStarted)
		return nil
	})
}

func (f *Foundation) Stop(_ context.Context, guid string) error {
	return f.locked(Call{Method: "Stop", Args: []string{guid}}, func() error {
		a, err := f.app(guid)
		if err != nil {
			return err
		}
		a.State = string(platform.AppStopped)
		return nil
	})
}

func (f *Foundation) EnvVars(_ context.Context, guid string) (map[string]string, error) {
	return read(f, &f.mu, Call{Method: "EnvVars", Args: []string{guid}}, func() (map[string]string, error) {
		a, err := f.app(guid)
		if err != nil {
			return nil, err
		}
		return maps.Clone(a.Env), nil
	})
}
