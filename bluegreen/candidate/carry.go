package candidate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// carryOver gives the candidate what the live app has and the manifest does not change, before
// it starts: each process's size, its service bindings (with their names, and their parameters
// where CC can give them back), and its network policies. Without it the new app would start
// without its database binding, at one instance where the old ran three.
func (d *deployer) carryOver(ctx context.Context) error {
	if d.Live == nil {
		return nil
	}
	for _, carry := range []func(context.Context) error{d.carryScale, d.carryBindings, d.carryPolicies} {
		if err := carry(ctx); err != nil {
			return err
		}
	}
	return nil
}

// carryScale sizes each of the candidate's process types as the live app's, where the manifest
// does not say (cf push semantics: a manifest without instances keeps the app's).
func (d *deployer) carryScale(ctx context.Context) error {
	live, err := d.p.AppProcesses(ctx, d.Live.GUID)
	if err != nil {
		return err
	}
	cand, err := d.p.AppProcesses(ctx, d.candidate.GUID)
	if err != nil {
		return err
	}
	for _, c := range cand {
		i := slices.IndexFunc(live, func(p platform.Process) bool { return p.Type == c.Type })
		if i < 0 {
			continue
		}
		want := sizeOf(live[i], d.o.Sizes[c.Type])
		if diff := scaleFrom(c, want); !diff.Empty() {
			if err := d.p.ScaleProcess(ctx, c.GUID, diff); err != nil {
				return fmt.Errorf("scale %s like the live app: %w", c.Type, err)
			}
			d.Log.Note("%s process: %d instances, %d MB memory, %d MB disk, as the live app (the manifest does not say)",
				c.Type, want.Instances, want.MemoryMB, want.DiskMB)
		}
		if c.Type == "web" {
			d.instances = max(want.Instances, 1)
		}
	}
	return nil
}

// sizeOf is the live process's size with what the manifest says over it.
func sizeOf(live platform.Process, manifest platform.Scale) platform.Process {
	manifest.Apply(&live)
	return live
}

// scaleFrom is the change that makes p the size of want; empty when it already is.
func scaleFrom(p, want platform.Process) platform.Scale {
	var s platform.Scale
	for _, f := range []struct {
		have, want int
		set        **int
	}{{p.Instances, want.Instances, &s.Instances}, {p.MemoryMB, want.MemoryMB, &s.MemoryMB},
		{p.DiskMB, want.DiskMB, &s.DiskMB}, {p.LogRateLimit, want.LogRateLimit, &s.LogRateLimit}} {
		if f.have != f.want {
			v := f.want
			*f.set = &v
		}
	}
	return s
}

// carryBindings binds the candidate to every service instance the live app is bound to that
// the manifest did not bind already (those made with cf bind-service), under the same names.
func (d *deployer) carryBindings(ctx context.Context) error {
	live, err := d.p.Bindings(ctx, d.Live.GUID)
	if err != nil {
		return err
	}
	have, err := d.p.Bindings(ctx, d.candidate.GUID)
	if err != nil {
		return err
	}
	var carried []string
	for _, b := range live {
		if slices.ContainsFunc(have, func(h platform.Binding) bool { return h.ServiceInstanceGUID == b.ServiceInstanceGUID }) {
			continue
		}
		if err := d.carryBinding(ctx, b); err != nil {
			return err
		}
		carried = append(carried, bindingName(b))
	}
	if len(carried) > 0 {
		d.Log.Note("bound %s like the live app", strings.Join(carried, ", "))
	}
	return nil
}

func (d *deployer) carryBinding(ctx context.Context, b platform.Binding) error {
	params, ok, err := d.p.BindingParameters(ctx, b.GUID)
	if err != nil {
		return err
	}
	if !ok {
		d.Log.Note("binding %s: CC cannot give its parameters back (a user-provided instance takes none, a broker may not keep them): bound without", bindingName(b))
	}
	_, err = d.p.Bind(ctx, platform.BindingRequest{AppGUID: d.candidate.GUID, ServiceInstanceGUID: b.ServiceInstanceGUID,
		Name: b.Name, Parameters: params})
	if err != nil {
		return fmt.Errorf("bind service instance %s like the live app: %w", b.ServiceInstanceName, err)
	}
	return nil
}

func bindingName(b platform.Binding) string {
	if b.Name != "" && b.Name != b.ServiceInstanceName {
		return b.ServiceInstanceName + " (as " + b.Name + ")"
	}
	return b.ServiceInstanceName
}

// carryPolicies gives the candidate the network policies the live app has, in both directions.
// The live app keeps its own until it is retired.
func (d *deployer) carryPolicies(ctx context.Context) error {
	live, err := d.p.Policies(ctx, d.Live.GUID)
	if err != nil || len(live) == 0 {
		return err
	}
	swap := func(guid string) string {
		if guid == d.Live.GUID {
			return d.candidate.GUID
		}
		return guid
	}
	var add []platform.Policy
	for _, p := range live {
		p.SourceGUID, p.DestinationGUID = swap(p.SourceGUID), swap(p.DestinationGUID)
		add = append(add, p)
	}
	if err := d.p.AddPolicies(ctx, add); err != nil {
		return fmt.Errorf("network policies like the live app's: %w", err)
	}
	d.Log.Note("%d network policies like the live app's", len(add))
	return nil
}
