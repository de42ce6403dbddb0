package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifest is a parsed, interpolated and validated cf manifest.
type Manifest struct {
	Apps []*App // in file order
	// Dir is the absolute folder of the manifest file (Load only); relative app paths are
	// resolved against it and it is the app path when the manifest gives none.
	Dir string
}

// Load reads a manifest file, interpolates ((vars)) from vars (highest precedence) and then
// from varsFiles (later files win over earlier ones), and parses it. Relative app paths are
// made absolute against the manifest's folder, as the cf CLI does.
func Load(path string, vars map[string]any, varsFiles []string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	m, err := Parse(path, data, vars, varsFiles)
	if err != nil {
		return nil, err
	}
	m.Dir = filepath.Dir(abs)
	for _, a := range m.Apps {
		a.dir = m.Dir
		if a.Path != "" && !filepath.IsAbs(a.Path) {
			a.Path = filepath.Join(m.Dir, a.Path)
		}
	}
	return m, nil
}

// Parse is Load on bytes (for tests and fuzzing); name is used in error messages. App paths
// stay as written.
func Parse(name string, data []byte, vars map[string]any, varsFiles []string) (*Manifest, error) {
	set, err := newVarSet(vars, varsFiles)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %w", name, err)
	}
	if err := checkTags(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := interpolate(&doc, set); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m, err := decode(&doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// decode expands the interpolated document and reads its applications.
func decode(doc *yaml.Node) (*Manifest, error) {
	if len(doc.Content) == 0 {
		return nil, &FieldError{Field: "applications", Problem: "missing (the manifest is empty)"}
	}
	root, err := newExpander().expand(doc.Content[0], 0)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, &FieldError{Field: "applications", Problem: "missing (the manifest is not a map)"}
	}
	if err := checkVersion(mapValue(root, "version")); err != nil {
		return nil, err
	}
	list := mapValue(root, "applications")
	switch {
	case list == nil:
		return nil, &FieldError{Field: "applications", Problem: "missing"}
	case list.Kind != yaml.SequenceNode:
		return nil, &FieldError{Field: "applications", Problem: "must be a list of apps"}
	}
	return decodeApps(list.Content)
}

// checkVersion accepts the only schema version the Cloud Controller knows, so a manifest
// written for another fails here with a clear message rather than later in a CC job.
func checkVersion(v *yaml.Node) error {
	if v == nil {
		return nil
	}
	if n, ok := intValue(v); !ok || n != 1 {
		return &FieldError{Field: "version", Problem: "only manifest schema version 1 is supported"}
	}
	return nil
}

func decodeApps(items []*yaml.Node) (*Manifest, error) {
	m := &Manifest{}
	var errs problems
	seen := map[string]bool{}
	for i, item := range items {
		a, err := decodeApp(i, item)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[a.Name] {
			errs = append(errs, &FieldError{Where: fmt.Sprintf("app %q", a.Name), Field: "name", Problem: "appears more than once"})
		}
		seen[a.Name] = true
		m.Apps = append(m.Apps, a)
	}
	if err := errs.join(); err != nil {
		return nil, err
	}
	return m, nil
}

// Select returns the app to deploy: the only one, or the one named.
func (m *Manifest) Select(name string) (*App, error) {
	switch {
	case m == nil || len(m.Apps) == 0:
		return nil, fmt.Errorf("manifest has no applications")
	case name == "" && len(m.Apps) == 1:
		return m.Apps[0], nil
	case name == "":
		return nil, fmt.Errorf("manifest holds apps %s: set app_name", m.names())
	}
	for _, a := range m.Apps {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("app_name %q is not in the manifest (apps: %s)", name, m.names())
}

// SelectAll returns the apps a release deploys, in order: every app of the manifest, or the
// ones named (an error names the first that is not in it, by its index).
func (m *Manifest) SelectAll(names []string) ([]*App, error) {
	if m == nil || len(m.Apps) == 0 {
		return nil, fmt.Errorf("manifest has no applications")
	}
	if len(names) == 0 {
		return m.Apps, nil
	}
	out := make([]*App, len(names))
	for i, name := range names {
		app, err := m.Select(name)
		if err != nil {
			return nil, &IndexError{Index: i, Err: fmt.Errorf("app %q is not in the manifest (apps: %s)", name, m.names())}
		}
		out[i] = app
	}
	return out, nil
}

// IndexError is a problem with the i-th of a list of names.
type IndexError struct {
	Index int
	Err   error
}

func (e *IndexError) Error() string { return e.Err.Error() }
func (e *IndexError) Unwrap() error { return e.Err }

func (m *Manifest) names() string {
	names := make([]string, len(m.Apps))
	for i, a := range m.Apps {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}
