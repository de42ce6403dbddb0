package cfsim

import (
	"encoding/json"
	"sort"
)

// VCAP_SERVICES as CC builds it for GET /v3/apps/:guid/env and for every process it asks
// Diego to run: one entry per bound instance (its newest binding whose creation succeeded),
// grouped under the offering's label or "user-provided". The instance keys come first, then
// the binding keys; the structs below keep that order.

type vcapBindingKeys struct {
	InstanceGUID   string  `json:"instance_guid"`
	InstanceName   string  `json:"instance_name"`
	BindingGUID    string  `json:"binding_guid"`
	BindingName    *string `json:"binding_name"`
	Credentials    any     `json:"credentials"`
	SyslogDrainURL *string `json:"syslog_drain_url"`
	VolumeMounts   []any   `json:"volume_mounts"`
}

type vcapManaged struct {
	Label    string   `json:"label"`
	Provider *string  `json:"provider"`
	Plan     string   `json:"plan"`
	Name     string   `json:"name"`
	Tags     []string `json:"tags"`
	vcapBindingKeys
}

type vcapProvided struct {
	Label string   `json:"label"`
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
	vcapBindingKeys
}

// vcapServices is the app's VCAP_SERVICES value. Labels appear in the order of their first
// binding, as CC's hash is filled. Callers hold s.mu.
func (s *Sim) vcapServices(appGUID string) json.RawMessage {
	var labels []string
	groups := map[string][]any{}
	for _, sb := range s.activeBindings(appGUID) {
		label, entry := s.vcapEntry(sb)
		if groups[label] == nil {
			labels = append(labels, label)
		}
		groups[label] = append(groups[label], entry)
	}
	out := []byte("{")
	for i, label := range labels {
		if i > 0 {
			out = append(out, ',')
		}
		k, _ := json.Marshal(label)
		v, _ := json.Marshal(groups[label])
		out = append(append(append(out, k...), ':'), v...)
	}
	return append(out, '}')
}

// activeBindings: per instance, the app's newest binding whose creation succeeded, in
// creation order. Bindings still being created, or failed, are not in the environment.
func (s *Sim) activeBindings(appGUID string) []*serviceBinding {
	newest := map[string]*serviceBinding{}
	for _, sb := range s.svc.bindings {
		if sb.kind != "app" || sb.appGUID != appGUID || !sb.lastOp.is("create", "succeeded") {
			continue
		}
		if cur := newest[sb.instanceGUID]; cur == nil || cur.seq < sb.seq {
			newest[sb.instanceGUID] = sb
		}
	}
	out := make([]*serviceBinding, 0, len(newest))
	for _, sb := range newest {
		out = append(out, sb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func (s *Sim) vcapEntry(sb *serviceBinding) (string, any) {
	si := s.svc.instances[sb.instanceGUID]
	name := si.name
	if deref(sb.name) != "" {
		name = *sb.name
	}
	keys := vcapBindingKeys{InstanceGUID: si.guid, InstanceName: si.name, BindingGUID: sb.guid, BindingName: sb.name,
		Credentials: credentialsOf(sb.credentials), SyslogDrainURL: sb.syslogDrainURL, VolumeMounts: []any{}}
	if !si.managed() {
		return "user-provided", vcapProvided{Label: "user-provided", Name: name, Tags: orEmpty(si.tags), vcapBindingKeys: keys}
	}
	o := s.offeringOf(si)
	tags := orEmpty(nil)
	for _, t := range append(append([]string{}, o.tags...), si.tags...) {
		tags = appendUnique(tags, t)
	}
	return o.name, vcapManaged{Label: o.name, Plan: s.planOf(si).name, Name: name, Tags: tags, vcapBindingKeys: keys}
}

func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
