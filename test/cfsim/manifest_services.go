package cfsim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// Manifest services: each entry is an instance name or {name, binding_name, parameters}. The
// apply_manifest job binds each instance the app is not yet bound to; it never unbinds one the
// manifest leaves out and never changes an existing binding.

type manifestService struct {
	name        string
	bindingName *string
	parameters  json.RawMessage
}

// manifestServices reads the entries; ok is false for any other shape, which CC refuses with
// "Services must be a list of service instances".
func manifestServices(entries []any) (out []manifestService, ok bool) {
	for _, e := range entries {
		switch v := e.(type) {
		case string:
			out = append(out, manifestService{name: v})
		case map[string]any:
			ms, good := manifestServiceHash(v)
			if !good {
				return nil, false
			}
			out = append(out, ms)
		default:
			return nil, false
		}
	}
	return out, true
}

func manifestServiceHash(v map[string]any) (manifestService, bool) {
	var ms manifestService
	for k := range v {
		if k != "name" && k != "binding_name" && k != "parameters" {
			return ms, false
		}
	}
	name, ok := v["name"].(string)
	if !ok {
		return ms, false
	}
	ms.name = name
	if bn, present := v["binding_name"]; present {
		s, isString := bn.(string)
		if !isString {
			return ms, false
		}
		ms.bindingName = &s
	}
	if p, present := v["parameters"]; present {
		params, isMap := p.(map[string]any)
		if !isMap {
			return ms, false
		}
		ms.parameters, _ = json.Marshal(params)
	}
	return ms, true
}

// validateManifestServices is the synchronous check of apply_manifest.
func validateManifestServices(entries []any) []string {
	if _, ok := manifestServices(entries); !ok {
		return []string{"Services must be a list of service instances"}
	}
	return nil
}

// bindManifestServices runs in the apply_manifest job, under s.mu. The broker is asked to bind
// synchronously; the asynchronous offering makes CC bind asynchronously and poll within the
// job, which then waits for it.
func (s *Sim) bindManifestServices(entries []any, a *app) *ccError {
	list, _ := manifestServices(entries)
	for _, ms := range list {
		si := s.instanceNamed(a.spaceGUID, ms.name)
		if si == nil {
			return &ccError{http.StatusNotFound, "Service instance '" + ms.name + "' not found", "CF-ResourceNotFound", 10010}
		}
		if err := s.bindForManifest(ms, si, a); err != nil {
			return errUnprocessable("For service '" + si.name + "': " + err.Detail)
		}
	}
	return nil
}

func (s *Sim) bindForManifest(ms manifestService, si *serviceInstance, a *app) *ccError {
	if existing := s.firstAppBinding(a.guid, si.guid); existing != nil {
		switch {
		case existing.lastOp.is("create", "succeeded"):
			return nil
		case existing.lastOp.inProgress():
			return errUnprocessable("A binding is being " + existing.lastOp.kind + "d. Retry this operation later.")
		case existing.lastOp.is("delete", "failed"):
			return errUnprocessable("A binding failed to be deleted. Resolve the issue with this binding before retrying this operation.")
		}
	}
	b := bindingBody{Type: "app", Name: ms.bindingName, Parameters: ms.parameters}
	b.Relationships.App = &relBody{Data: &struct {
		GUID string `json:"guid"`
	}{GUID: a.guid}}
	sb, err := s.newBinding(b, si)
	if err != nil || !si.managed() {
		return err
	}
	o := s.offeringOf(si)
	if o.async {
		sb.lastOp = newOperation("create", "in progress", nil)
		if !s.awaitBroker(s.ctx) || s.svc.bindings[sb.guid] != sb {
			return nil
		}
	}
	s.completeBinding(sb, "create", o, si)
	return nil
}

// firstAppBinding is the app's oldest binding to the instance, whatever its state.
func (s *Sim) firstAppBinding(appGUID, instanceGUID string) *serviceBinding {
	var first *serviceBinding
	for _, sb := range s.svc.bindings {
		if sb.kind == "app" && sb.appGUID == appGUID && sb.instanceGUID == instanceGUID && (first == nil || sb.seq < first.seq) {
			first = sb
		}
	}
	return first
}

// boundServiceNames lists the instances the app is bound to, for its generated manifest,
// sorted without regard to case as CC sorts them.
func (s *Sim) boundServiceNames(appGUID string) []string {
	var names []string
	for _, sb := range s.svc.bindings {
		if sb.kind == "app" && sb.appGUID == appGUID {
			names = append(names, s.svc.instances[sb.instanceGUID].name)
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	return names
}
