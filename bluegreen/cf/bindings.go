package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"cmp"
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Bind makes a service binding of type app (POST /v3/service_credential_bindings) with the
// request's name and parameters (empty parameters are not sent: CC refuses any for a
// user-provided instance). A user-provided instance is bound at once (201); a managed one answers
// 202 with a job, and an asynchronous broker keeps the binding "in progress" after it: Bind
// returns once the job is done and the binding's last operation succeeded, within the client's
// wait deadline. A failed job or operation is an error naming the binding, with CC's description.
// When CC's answer is lost, the binding it may have made is looked up before trying again, so an
// app is never bound twice.
func (c *Client) Bind(ctx context.Context, r platform.BindingRequest) (platform.Binding, error) {
	what := fmt.Sprintf("bind app %s to service instance %s", r.AppGUID, r.ServiceInstanceGUID)
	if r.Name != "" {
		what += fmt.Sprintf(" as %q", r.Name)
	}
	req := resource.NewServiceCredentialBindingCreateApp(r.ServiceInstanceGUID, r.AppGUID)
	if r.Name != "" {
		req.WithName(r.Name)
	}
	if len(r.Parameters) > 0 {
		raw, err := json.Marshal(r.Parameters)
		if err != nil {
			return platform.Binding{}, fmt.Errorf("%s: encode the parameters: %w", what, err)
		}
		params := json.RawMessage(raw)
		req.Parameters = &params
	}
	job, err := create(ctx, c.retry, what, func() (string, error) {
		job, _, err := c.cf.ServiceCredentialBindings.Create(ctx, req)
		return job, err
	}, func() (string, bool, error) {
		// CC keeps one binding per app and instance (strategy single): a live one with this
		// name is the one the lost try made. A failed one is replaced by the next try.
		b, ok, err := c.findBinding(ctx, r)
		return "", ok && b.op.State != opFailed, err
	})
	if err != nil {
		return platform.Binding{}, err
	}
	return c.awaitBinding(ctx, what, job, r)
}

// findBinding is the newest binding of the app to the instance with the request's name.
func (c *Client) findBinding(ctx context.Context, r platform.BindingRequest) (appBinding, bool, error) {
	bs, err := c.appBindings(ctx, r.AppGUID, r.ServiceInstanceGUID)
	if err != nil {
		return appBinding{}, false, err
	}
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i].Name == r.Name {
			return bs[i], true, nil
		}
	}
	return appBinding{}, false, nil
}

// awaitBinding waits for the binding's job (none after a 201 or a lost answer), then for its last
// operation to succeed.
func (c *Client) awaitBinding(ctx context.Context, what, job string, r platform.BindingRequest) (platform.Binding, error) {
	ctx, cancel := c.bounded(ctx, what)
	defer cancel()
	b, found, err := c.findBinding(ctx, r)
	if err != nil {
		return platform.Binding{}, fmt.Errorf("%s: %w", what, err)
	}
	if found {
		what = describeBinding(b.Binding)
	}
	if err := c.waitJob(ctx, what, job); err != nil {
		if now, ok, ferr := c.findBinding(ctx, r); ferr == nil && ok && now.op.Description != "" {
			return platform.Binding{}, fmt.Errorf("%w (its last operation: %s %s: %s)", err, now.op.Type, now.op.State, now.op.Description)
		}
		return platform.Binding{}, err
	}
	if !found {
		return platform.Binding{}, fmt.Errorf("%s: CC accepted the binding but does not list it", what)
	}
	err = c.wait(ctx, what, func() (bool, error) {
		got, err := c.cf.ServiceCredentialBindings.Get(ctx, b.GUID)
		if err != nil {
			return false, fmt.Errorf("%s: %w", what, err)
		}
		switch op := got.LastOperation; {
		case op.State == opFailed:
			return false, fmt.Errorf("%s: %s failed: %s", what, cmp.Or(op.Type, opCreate), cmp.Or(op.Description, "CC gave no description"))
		case op.State == opSucceeded || op.State == "":
			return true, nil
		}
		return false, nil
	})
	return b.Binding, err
}

// describeBinding names a binding for errors: its name (or none), guid, app and instance.
func describeBinding(b platform.Binding) string {
	name := "unnamed service binding"
	if b.Name != "" {
		name = fmt.Sprintf("service binding %q", b.Name)
	}
	return fmt.Sprintf("%s %s of app %s to service instance %q", name, b.GUID, b.AppGUID, b.ServiceInstanceName)
}
