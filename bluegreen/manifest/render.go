package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Render returns a one-app manifest YAML (`applications: [ ... ]`) of this app with every key
// the user wrote preserved, except: name replaced by name; routes replaced by routes (an empty
// list means `no-route: true`, and the other route keys are dropped); `path` removed (bits are
// uploaded separately); env replaced by env when env != nil. A given route that the manifest
// also lists keeps its entry (protocol, options). Anchors and aliases come out resolved, which
// the Cloud Controller requires.
func (a *App) Render(name string, routes []string, env map[string]string) ([]byte, error) {
	if a == nil {
		return nil, errors.New("rendering manifest: no app")
	}
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("rendering manifest: app name is empty")
	}
	if i := slices.IndexFunc(routes, func(r string) bool { return strings.TrimSpace(r) == "" }); i >= 0 {
		return nil, fmt.Errorf("rendering manifest for %q: route %d is empty", name, i)
	}
	app := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if a.raw != nil {
		app = clone(a.raw)
	}
	setKey(app, "name", str(name))
	deleteKeys(app, "path")
	setRoutes(app, a.raw, routes)
	if env != nil {
		setKey(app, "env", envNode(env))
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		scalar("!!str", "applications"),
		{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{app}},
	}}
	return encode(doc, name)
}

func encode(doc *yaml.Node, name string) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("rendering manifest for %q: %w", name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("rendering manifest for %q: %w", name, err)
	}
	return buf.Bytes(), nil
}

// setRoutes drops every key that makes the Cloud Controller or the cf CLI map routes: when
// the engine sets the routes, none of the user's may add others.
func setRoutes(app, raw *yaml.Node, routes []string) {
	deleteKeys(app, "routes", "no-route", "random-route", "default-route", "host", "hosts", "domain", "domains", "no-hostname")
	if len(routes) == 0 {
		setKey(app, "no-route", scalar("!!bool", "true"))
		return
	}
	var old []*yaml.Node
	if raw != nil {
		if list := mapValue(raw, "routes"); list != nil && list.Kind == yaml.SequenceNode {
			old = list.Content
		}
	}
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, r := range routes {
		list.Content = append(list.Content, routeEntry(old, r))
	}
	setKey(app, "routes", list)
}

// routeEntry reuses the manifest's entry for the same route, so its protocol (http2, tcp)
// and options survive.
func routeEntry(old []*yaml.Node, route string) *yaml.Node {
	for _, e := range old {
		if v := mapValue(e, "route"); v != nil && v.Kind == yaml.ScalarNode && v.Value == route {
			return clone(e)
		}
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		scalar("!!str", "route"), str(route),
	}}
}

// envNode sorts the names so the same env always renders the same bytes.
func envNode(env map[string]string) *yaml.Node {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, k := range keys {
		n.Content = append(n.Content, str(k), str(env[k]))
	}
	return n
}

// setKey replaces a key's value in place (keeping the user's order), or appends the key.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar("!!str", key), v)
}

func deleteKeys(m *yaml.Node, keys ...string) {
	out := m.Content[:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind != yaml.ScalarNode || !slices.Contains(keys, k.Value) {
			out = append(out, m.Content[i], m.Content[i+1])
		}
	}
	m.Content = out
}
