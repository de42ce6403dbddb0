package fakecf

import (
	"context"
	"fmt"
	"maps"
	"sort"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// binding is a credential binding and the parameters it was made with.
type binding struct {
	platform.Binding
	params map[string]any
}

// SeedServiceInstance adds a service instance to the space; it returns its guid.
func (f *Foundation) SeedServiceInstance(name string, userProvided bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	si := &platform.ServiceInstance{GUID: f.newGUID("service-instance"), Name: name, UserProvided: userProvided}
	f.serviceInstances[name] = si
	return si.GUID
}

// SeedBinding binds an app to a service instance (by name), as cf bind-service does.
func (f *Foundation) SeedBinding(appGUID, instance, name string, params map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, _ = f.bind(platform.BindingRequest{AppGUID: appGUID, ServiceInstanceGUID: f.serviceInstances[instance].GUID,
		Name: name, Parameters: params})
}

// BindingsOf lists an app's bindings as "instance name:binding name", sorted.
func (f *Foundation) BindingsOf(appGUID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{}
	for _, b := range f.bindings {
		if b.AppGUID == appGUID {
			out = append(out, b.ServiceInstanceName+":"+b.Name)
		}
	}
	sort.Strings(out)
	return out
}

func (f *Foundation) ServiceInstance(_ context.Context, _, name string) (*platform.ServiceInstance, error) {
	return read(f, &f.mu, Call{Method: "ServiceInstance", Args: []string{name}}, func() (*platform.ServiceInstance, error) {
		if si := f.serviceInstances[name]; si != nil {
			c := *si
			return &c, nil
		}
		return nil, nil
	})
}

func (f *Foundation) Bindings(_ context.Context, appGUID string) ([]platform.Binding, error) {
	return read(f, &f.mu, Call{Method: "Bindings", Args: []string{appGUID}}, func() ([]platform.Binding, error) {
		out := []platform.Binding{}
		for _, b := range f.bindings {
			if b.AppGUID == appGUID {
				out = append(out, b.Binding)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].GUID < out[j].GUID })
		return out, nil
	})
}

// BindingParameters gives a managed instance's binding parameters back; a user-provided one's
// CC cannot give.
func (f *Foundation) BindingParameters(_ context.Context, guid string) (map[string]any, bool, error) {
	c, err := f.record(Call{Method: "BindingParameters", Args: []string{guid}})
	if err != nil {
		return nil, false, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.bindings[guid]
	if b == nil {
		return nil, false, fmt.Errorf("CF-ResourceNotFound: service credential binding %s", guid)
	}
	if f.instanceByGUID(b.ServiceInstanceGUID).UserProvided {
		return nil, false, nil
	}
	return maps.Clone(b.params), true, nil
}

func (f *Foundation) Bind(_ context.Context, r platform.BindingRequest) (platform.Binding, error) {
	c, err := f.record(Call{Method: "Bind", Args: []string{r.AppGUID, r.ServiceInstanceGUID, r.Name}})
	if err != nil {
		return platform.Binding{}, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.BindErr != nil {
		return platform.Binding{}, f.BindErr
	}
	return f.bind(r)
}

// bind makes a binding (mu held), refusing a second one of the app to the same instance.
func (f *Foundation) bind(r platform.BindingRequest) (platform.Binding, error) {
	si := f.instanceByGUID(r.ServiceInstanceGUID)
	if si == nil {
		return platform.Binding{}, fmt.Errorf("CF-UnprocessableEntity: Service instance %s not found", r.ServiceInstanceGUID)
	}
	for _, b := range f.bindings {
		if b.AppGUID == r.AppGUID && b.ServiceInstanceGUID == si.GUID {
			return platform.Binding{}, fmt.Errorf("CF-UnprocessableEntity: The app is already bound to the service instance")
		}
	}
	b := &binding{Binding: platform.Binding{GUID: f.newGUID("binding"), Name: r.Name, AppGUID: r.AppGUID,
		ServiceInstanceGUID: si.GUID, ServiceInstanceName: si.Name}, params: maps.Clone(r.Parameters)}
	f.bindings[b.GUID] = b
	return b.Binding, nil
}

func (f *Foundation) instanceByGUID(guid string) *platform.ServiceInstance {
	for _, si := range f.serviceInstances {
		if si.GUID == guid {
			return si
		}
	}
	return nil
}

// unbindApp deletes an app's bindings, as CC does when it deletes the app (mu held).
func (f *Foundation) unbindApp(appGUID string) {
	for guid, b := range f.bindings {
		if b.AppGUID == appGUID {
			delete(f.bindings, guid)
		}
	}
}
