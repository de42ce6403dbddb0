package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// varSet answers ((name)) and ((name.key.sub)) the way the cf CLI does: the first dotted
// segment names a variable, looked up in the given vars, then in the vars files from the last
// to the first (later files win); the other segments walk into its maps.
type varSet struct {
	given map[string]any
	nodes map[string]*yaml.Node // given vars already converted
	files []map[string]*yaml.Node
}

func newVarSet(given map[string]any, varsFiles []string) (*varSet, error) {
	s := &varSet{given: given, nodes: map[string]*yaml.Node{}}
	for _, path := range varsFiles {
		vars, err := readVarsFile(path)
		if err != nil {
			return nil, err
		}
		s.files = append(s.files, vars)
	}
	return s, nil
}

// lookup returns the value of a reference, found=false when it is not defined. The error is
// for a value that exists but cannot be used; it names the variable, never the value.
func (s *varSet) lookup(ref string) (n *yaml.Node, found bool, err error) {
	segs := strings.Split(ref, ".")
	n, found, err = s.top(segs[0])
	for _, seg := range segs[1:] {
		if !found || err != nil {
			break
		}
		n = mapValue(n, seg)
		found = n != nil
	}
	return n, found, err
}

func (s *varSet) top(name string) (*yaml.Node, bool, error) {
	if n, ok := s.nodes[name]; ok {
		return n, true, nil
	}
	if v, ok := s.given[name]; ok {
		n, err := toNode(v, 0)
		if err != nil {
			return nil, true, fmt.Errorf("variable %q %w", name, err)
		}
		s.nodes[name] = n
		return n, true, nil
	}
	for i := len(s.files) - 1; i >= 0; i-- {
		if n, ok := s.files[i][name]; ok {
			return n, true, nil
		}
	}
	return nil, false, nil
}

// mapValue returns the value under key in a mapping node, nil when absent or not a map.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// readVarsFile reads a YAML map of variables. An empty file defines none. Values are
// expanded (aliases resolved) once here so every use shares a plain tree.
func readVarsFile(path string) (map[string]*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in our message
		}
		return nil, fmt.Errorf("vars file %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("vars file %s: invalid YAML: %w", path, err)
	}
	vars := map[string]*yaml.Node{}
	if len(doc.Content) == 0 {
		return vars, nil
	}
	root, err := newExpander().expand(doc.Content[0], 0)
	if err != nil {
		return nil, fmt.Errorf("vars file %s: %w", path, err)
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("vars file %s: must be a map of variable names to values", path)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode {
			vars[k.Value] = root.Content[i+1]
		}
	}
	return vars, nil
}
