package cfsim

import (
	"strings"
)

// metadata holds labels and annotations, as on every CC resource.
type metadata struct {
	labels      map[string]string
	annotations map[string]string
}

func newMetadata() metadata {
	return metadata{labels: map[string]string{}, annotations: map[string]string{}}
}

// metadataPatch is the request shape: a null value removes the key, a null map changes nothing.
type metadataPatch struct {
	Labels      map[string]*string `json:"labels"`
	Annotations map[string]*string `json:"annotations"`
}

func (m *metadata) apply(p *metadataPatch) {
	if p == nil {
		return
	}
	merge(m.labels, p.Labels)
	merge(m.annotations, p.Annotations)
}

func merge(dst map[string]string, patch map[string]*string) {
	for k, v := range patch {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = *v
		}
	}
}

func (m metadata) present() map[string]any {
	return map[string]any{"labels": copyMap(m.labels), "annotations": copyMap(m.annotations)}
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// labelSelector is a parsed label_selector query: requirements joined by commas, each one of
// key, !key, key=value, key==value, key!=value, key in (a,b), key notin (a,b).
type labelSelector []func(map[string]string) bool

func parseLabelSelector(s string) (labelSelector, *ccError) {
	var sel labelSelector
	for _, req := range splitRequirements(s) {
		f, ok := parseRequirement(strings.TrimSpace(req))
		if !ok {
			return nil, errBadQuery("Invalid label_selector value")
		}
		sel = append(sel, f)
	}
	return sel, nil
}

// splitRequirements splits on commas that are outside parentheses.
func splitRequirements(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func parseRequirement(req string) (func(map[string]string) bool, bool) {
	switch {
	case req == "":
		return nil, false
	case strings.HasPrefix(req, "!"):
		key := req[1:]
		return func(l map[string]string) bool { _, ok := l[key]; return !ok }, key != ""
	case strings.Contains(req, "!="):
		k, v, _ := strings.Cut(req, "!=")
		return func(l map[string]string) bool { return l[k] != v }, k != ""
	case strings.Contains(req, "=="):
		k, v, _ := strings.Cut(req, "==")
		return equalsLabel(k, v), k != ""
	case strings.Contains(req, "="):
		k, v, _ := strings.Cut(req, "=")
		return equalsLabel(k, v), k != ""
	case strings.Contains(req, " notin "):
		return setRequirement(req, " notin ", false)
	case strings.Contains(req, " in "):
		return setRequirement(req, " in ", true)
	default:
		return func(l map[string]string) bool { _, ok := l[req]; return ok }, true
	}
}

func equalsLabel(k, v string) func(map[string]string) bool {
	return func(l map[string]string) bool { got, ok := l[k]; return ok && got == v }
}

func setRequirement(req, op string, in bool) (func(map[string]string) bool, bool) {
	k, rest, _ := strings.Cut(req, op)
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return nil, false
	}
	values := map[string]bool{}
	for _, v := range strings.Split(rest[1:len(rest)-1], ",") {
		values[strings.TrimSpace(v)] = true
	}
	k = strings.TrimSpace(k)
	return func(l map[string]string) bool {
		v, ok := l[k]
		if in {
			return ok && values[v]
		}
		return !ok || !values[v]
	}, k != ""
}

func (s labelSelector) matches(labels map[string]string) bool {
	for _, f := range s {
		if !f(labels) {
			return false
		}
	}
	return true
}
