package cfsim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// diffKeys are the top-level manifest keys CC's diff compares (its manifest message's keys,
// dasherized); any other key is left out of the diff.
var diffKeys = []string{"buildpack", "buildpacks", "command", "disk-quota", "log-rate-limit-per-second", "docker",
	"env", "health-check-http-endpoint", "health-check-invocation-timeout", "health-check-interval",
	"health-check-timeout", "health-check-type", "readiness-health-check-http-endpoint",
	"readiness-health-check-type", "readiness-health-check-invocation-timeout", "readiness-health-check-interval",
	"instances", "metadata", "memory", "lifecycle", "name", "no-route", "processes", "random-route", "default-route",
	"routes", "services", "sidecars", "stack", "timeout", "cnb-credentials", "features"}

// diffIDs say how entries of these lists are matched between the app and the manifest.
var diffIDs = map[string]string{"processes": "type", "routes": "route", "sidecars": "name"}

// diffOp is one entry of the diff: op add, remove or replace at a JSON pointer path.
type diffOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Was   any    `json:"was,omitempty"`
	Value any    `json:"value,omitempty"`
}

// manifestDiff is POST /v3/spaces/:guid/manifest_diff: the manifest is read and validated
// as apply_manifest reads it, then each app is compared with the manifest CC generates for
// the app of that name in the space (nothing, for a new app). 201 {"diff":[...]}.
func (s *Sim) manifestDiff(w http.ResponseWriter, r *http.Request) {
	_, raw, ok := readManifest(w, r)
	if !ok {
		return
	}
	var generic struct {
		Applications []map[string]any `yaml:"applications"`
	}
	if yaml.Unmarshal(raw, &generic) != nil {
		writeError(w, errBadRequest("Manifest does not support Anchors and Aliases"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.spaceIn(w, r)
	if !ok {
		return
	}
	ops := []diffOp{}
	for i, entry := range generic.Applications {
		ops = append(ops, s.diffApp(i, sp, normalizeApp(entry))...)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"diff": ops})
}

// diffApp compares one manifest entry with the app's current manifest, web process fields
// lifted to the top as CC does.
func (s *Sim) diffApp(index int, sp *space, entry map[string]any) []diffOp {
	current := map[string]any{}
	if a := s.appNamed(sp.guid, fmt.Sprint(entry["name"])); a != nil {
		current = s.currentManifest(a)
		for _, p := range asList(current["processes"]) {
			if pm, ok := p.(map[string]any); ok && pm["type"] == "web" {
				for k, v := range pm {
					current[k] = v
				}
			}
		}
	}
	var ops []diffOp
	for _, key := range sortedKeys(entry) {
		if !slices.Contains(diffKeys, key) {
			continue
		}
		was := current[key]
		_, pruned := diffIDs[key]
		if pruned && !empty(was) {
			was = pruneList(asList(was), asList(entry[key]), diffIDs[key])
		}
		if key == "features" {
			was = onlyKeys(was, entry[key])
		}
		if key == "memory" || key == "disk-quota" {
			continue // CC never diffs top-level sizes (kept for older manifests)
		}
		ops = append(ops, diffValues(fmt.Sprintf("/applications/%d/%s", index, escapePointer(key)), was, entry[key])...)
	}
	return ops
}

// currentManifest is the app's manifest exactly as GET /v3/apps/:guid/manifest presents it
// (CC diffs against its app manifest presenter), as generic YAML. Callers hold s.mu.
func (s *Sim) currentManifest(a *app) map[string]any {
	rec := httptest.NewRecorder()
	s.getAppManifest(rec, nil, a)
	var m struct {
		Applications []map[string]any `yaml:"applications"`
	}
	if yaml.Unmarshal(rec.Body.Bytes(), &m) != nil || len(m.Applications) == 0 {
		return map[string]any{}
	}
	return normalizeApp(m.Applications[0])
}

// diffValues is a JSON diff of two values: maps key by key, lists by position, anything
// else replaced whole. A replace of nothing is an add.
func diffValues(path string, was, value any) []diffOp {
	wm, wasMap := was.(map[string]any)
	vm, isMap := value.(map[string]any)
	if wasMap && isMap {
		var ops []diffOp
		for _, k := range sortedKeys(wm) {
			if _, ok := vm[k]; !ok {
				ops = append(ops, diffOp{Op: "remove", Path: path + "/" + escapePointer(k), Was: wm[k]})
			}
		}
		for _, k := range sortedKeys(vm) {
			ops = append(ops, diffValues(path+"/"+escapePointer(k), wm[k], vm[k])...)
		}
		return ops
	}
	wl, wasList := was.([]any)
	vl, isList := value.([]any)
	if wasList && isList {
		var ops []diffOp
		for i := 0; i < max(len(wl), len(vl)); i++ {
			p := fmt.Sprintf("%s/%d", path, i)
			switch {
			case i >= len(vl):
				ops = append(ops, diffOp{Op: "remove", Path: p, Was: wl[i]})
			case i >= len(wl):
				ops = append(ops, diffOp{Op: "add", Path: p, Value: vl[i]})
			default:
				ops = append(ops, diffValues(p, wl[i], vl[i])...)
			}
		}
		return ops
	}
	if reflect.DeepEqual(was, value) {
		return nil
	}
	if was == nil {
		return []diffOp{{Op: "add", Path: path, Value: value}}
	}
	return []diffOp{{Op: "replace", Path: path, Was: was, Value: value}}
}

// pruneList lines the app's entries up with the manifest's by id, each with only the keys
// the manifest's entry gives (nil where the app has none), so the diff shows changes and
// additions of what the manifest says and never what it leaves out, as CC's pruning does.
func pruneList(current, wanted []any, id string) []any {
	out := make([]any, len(wanted))
	for i, w := range wanted {
		wm, _ := w.(map[string]any)
		for _, c := range current {
			if cm, ok := c.(map[string]any); ok && wm != nil && reflect.DeepEqual(cm[id], wm[id]) {
				out[i] = onlyKeys(cm, wm)
			}
		}
	}
	return out
}

// onlyKeys keeps the keys of was that keys has.
func onlyKeys(was, keys any) any {
	wm, ok1 := was.(map[string]any)
	km, ok2 := keys.(map[string]any)
	if !ok1 || !ok2 {
		return was
	}
	out := map[string]any{}
	for k := range km {
		if v, ok := wm[k]; ok {
			out[k] = v
		}
	}
	return out
}

// normalizeApp writes sizes as CC's diff compares them: memory and disk in whole
// megabytes ("1G" and "1024M" are equal), at the top and in processes and sidecars.
func normalizeApp(entry map[string]any) map[string]any {
	normalizeSizes(entry)
	for _, key := range []string{"processes", "sidecars"} {
		for _, item := range asList(entry[key]) {
			if m, ok := item.(map[string]any); ok {
				normalizeSizes(m)
			}
		}
	}
	return entry
}

func normalizeSizes(m map[string]any) {
	for _, k := range []string{"memory", "disk_quota", "disk-quota"} {
		if v, ok := m[k]; ok {
			if mb, ok := megabytes(fmt.Sprint(v)); ok {
				m[k] = fmt.Sprintf("%dM", mb)
			}
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// empty is Ruby's present? negated for the values a manifest holds.
func empty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	case string:
		return strings.TrimSpace(t) == ""
	}
	return false
}

// escapePointer escapes a JSON pointer segment.
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
