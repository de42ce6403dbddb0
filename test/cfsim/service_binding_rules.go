package cfsim

import (
	"fmt"
	"time"
)

// maxBindingsPerAppAndInstance is capi-release's default for
// max_service_credential_bindings_per_app_service_instance (strategy "multiple").
const maxBindingsPerAppAndInstance = 5

// checkAppBinding applies CC's rules for binding an app, in CC's order: app readable, same
// space, instance bindable and settled, existing bindings of the pair, binding name. Failed
// bindings of the pair are dropped first, as CC does. Callers hold s.mu.
func (s *Sim) checkAppBinding(si *serviceInstance, appGUID string, name *string, strategy string) *ccError {
	a := s.apps[appGUID]
	if a == nil {
		return errUnprocessable("The app could not be found: '" + appGUID + "'")
	}
	if a.spaceGUID != si.spaceGUID {
		return errUnprocessable("The service instance and the app are in different spaces")
	}
	if err := s.checkInstanceBindable(si, ""); err != nil {
		return err
	}
	valid := 0
	for _, sb := range sorted(s.svc.bindings, func(b *serviceBinding) int64 { return b.seq }) {
		if sb.kind != "app" || sb.appGUID != appGUID || sb.instanceGUID != si.guid {
			continue
		}
		if sb.lastOp.is("create", "failed") {
			delete(s.svc.bindings, sb.guid)
			continue
		}
		if err := existingBindingError(sb, name); err != nil {
			return err
		}
		valid++
	}
	if strategy == "multiple" && valid >= maxBindingsPerAppAndInstance {
		return errUnprocessable(fmt.Sprintf("The app has too many bindings to this service instance (limit: %d). "+
			"Consider deleting existing/orphaned bindings.", maxBindingsPerAppAndInstance))
	}
	if strategy != "multiple" && valid >= 1 {
		return errUnprocessable("The app is already bound to the service instance")
	}
	return s.checkBindingName(appGUID, si.guid, name)
}

func existingBindingError(sb *serviceBinding, name *string) *ccError {
	switch {
	case sb.lastOp.is("create", "initial") || sb.lastOp.is("create", "in progress"):
		return errUnprocessable("There is already a binding in progress for this service instance and app (binding guid: " + sb.guid + ")")
	case sb.lastOp.kind == "delete" && sb.lastOp.state != "succeeded":
		return errUnprocessable("A binding for this service instance and app is getting deleted or its deletion failed")
	case deref(sb.name) != deref(name) || (sb.name == nil) != (name == nil):
		return errUnprocessable("The binding name cannot be changed for the same app and service instance")
	}
	return nil
}

// checkInstanceBindable: a managed instance must have a bindable plan, exist at the broker and
// not be in the middle of an operation. suffix is "." for keys, whose texts end with one.
func (s *Sim) checkInstanceBindable(si *serviceInstance, suffix string) *ccError {
	if !si.managed() {
		return nil
	}
	switch {
	case !s.offeringOf(si).bindable:
		return errUnprocessable("Service plan does not allow bindings" + suffix)
	case si.lastOp.is("create", "failed"):
		return errUnprocessable("Service instance not found")
	case si.lastOp.inProgress():
		return errUnprocessable("There is an operation in progress for the service instance")
	}
	return nil
}

func (s *Sim) checkBindingName(appGUID, instanceGUID string, name *string) *ccError {
	if name == nil {
		return nil
	}
	if len(*name) > 255 {
		return errUnprocessable("The binding name is invalid. App binding names must be less than 256 characters.")
	}
	if *name != "" && !bindingNamePattern.MatchString(*name) {
		return errUnprocessable("The binding name is invalid. Valid characters are alphanumeric, underscore, and dash.")
	}
	for _, sb := range s.svc.bindings {
		if sb.kind == "app" && sb.appGUID == appGUID && sb.instanceGUID != instanceGUID && deref(sb.name) == *name {
			return errUnprocessable("The binding name is invalid. Binding names must be unique for a given service " +
				"instance and app. The app already has a binding with name '" + *name + "'.")
		}
	}
	return nil
}

// checkKey applies CC's rules for a service key; a failed key of the same name is replaced.
func (s *Sim) checkKey(si *serviceInstance, name string) *ccError {
	if !si.managed() {
		return errUnprocessable("Service credential bindings of type 'key' are not supported for user-provided service instances.")
	}
	if err := s.checkInstanceBindable(si, "."); err != nil {
		return err
	}
	for _, sb := range s.svc.bindings {
		if sb.kind != "key" || sb.instanceGUID != si.guid || deref(sb.name) != name {
			continue
		}
		switch {
		case sb.lastOp.kind == "create" && sb.lastOp.state != "failed":
			return errUnprocessable("The binding name is invalid. Key binding names must be unique. " +
				"The service instance already has a key binding with name '" + name + "'.")
		case sb.lastOp.kind == "delete":
			return errUnprocessable("The binding name is invalid. Key binding names must be unique. The service instance " +
				"already has a key binding with the name '" + name + "' that is getting deleted or its deletion failed.")
		}
		delete(s.svc.bindings, sb.guid)
	}
	return nil
}

func (sb *serviceBinding) touch() { sb.updated = time.Now() }
