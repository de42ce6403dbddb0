package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// A binding's last operation (docs/platform/services.md, "The binding object").
const (
	opCreate     = "create"
	opSucceeded  = "succeeded"
	opFailed     = "failed"
	userProvided = "user-provided"
)

// ServiceInstance finds a service instance of the space by name, managed or user-provided; nil
// when there is none.
func (c *Client) ServiceInstance(ctx context.Context, spaceGUID, name string) (*platform.ServiceInstance, error) {
	opts := client.NewServiceInstanceListOptions()
	opts.Names.EqualTo(name)
	opts.SpaceGUIDs.EqualTo(spaceGUID)
	sis, err := c.cf.ServiceInstances.ListAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("look up service instance %q: %w", name, err)
	}
	if len(sis) == 0 {
		return nil, nil
	}
	return &platform.ServiceInstance{GUID: sis[0].GUID, Name: sis[0].Name, UserProvided: sis[0].Type == userProvided}, nil
}

// appBinding is a binding of type app with its last operation.
type appBinding struct {
	platform.Binding
	op resource.LastOperation
}

// succeeded reports whether the binding's creation finished: what CC puts in VCAP_SERVICES.
func (b appBinding) succeeded() bool {
	return (b.op.Type == "" || b.op.Type == opCreate) && (b.op.State == "" || b.op.State == opSucceeded)
}

// appBindings lists the app's bindings of type app (to one instance when instanceGUID is set),
// oldest first, with their instances' names from the same answer (include=service_instance).
func (c *Client) appBindings(ctx context.Context, appGUID, instanceGUID string) ([]appBinding, error) {
	opts := client.NewServiceCredentialBindingListOptions()
	opts.Type.EqualTo("app")
	opts.AppGUIDs.EqualTo(appGUID)
	if instanceGUID != "" {
		opts.ServiceInstanceGUIDs.EqualTo(instanceGUID)
	}
	bs, sis, err := c.cf.ServiceCredentialBindings.ListIncludeServiceInstancesAll(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("list service bindings of app %s: %w", appGUID, err)
	}
	names := map[string]string{}
	for _, si := range sis {
		names[si.GUID] = si.Name
	}
	out := make([]appBinding, 0, len(bs))
	for _, b := range bs {
		pb := platform.Binding{GUID: b.GUID}
		if b.Name != nil {
			pb.Name = *b.Name
		}
		if r := b.Relationships.App; r != nil && r.Data != nil {
			pb.AppGUID = r.Data.GUID
		}
		if r := b.Relationships.ServiceInstance; r != nil && r.Data != nil {
			pb.ServiceInstanceGUID, pb.ServiceInstanceName = r.Data.GUID, names[r.Data.GUID]
		}
		out = append(out, appBinding{Binding: pb, op: b.LastOperation})
	}
	return out, nil
}

// Bindings lists the app's service bindings (type app) whose creation succeeded, oldest first:
// the ones CC puts into the app's VCAP_SERVICES. A binding still being made or deleted, or whose
// creation failed, is left out.
func (c *Client) Bindings(ctx context.Context, appGUID string) ([]platform.Binding, error) {
	all, err := c.appBindings(ctx, appGUID, "")
	if err != nil {
		return nil, err
	}
	out := []platform.Binding{}
	for _, b := range all {
		if b.succeeded() {
			out = append(out, b.Binding)
		}
	}
	return out, nil
}

// BindingParameters reads the parameters a binding was made with from its broker
// (GET /v3/service_credential_bindings/:guid/parameters). CC cannot give them for a binding to a
// user-provided instance or to a broker that does not fetch bindings (400
// CF-ServiceFetchBindingParametersNotSupported): ok is false then, without an error.
func (c *Client) BindingParameters(ctx context.Context, bindingGUID string) (map[string]any, bool, error) {
	raw, err := c.cf.ServiceCredentialBindings.GetParameters(ctx, bindingGUID)
	if resource.IsServiceFetchBindingParametersNotSupportedError(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the parameters of service binding %s: %w", bindingGUID, err)
	}
	params := map[string]any{}
	if raw != nil && len(*raw) > 0 {
		if err := json.Unmarshal(*raw, &params); err != nil {
			return nil, false, fmt.Errorf("read the parameters of service binding %s: %w", bindingGUID, err)
		}
	}
	return params, true, nil
}
