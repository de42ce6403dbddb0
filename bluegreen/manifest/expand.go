package manifest

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Limits that turn hostile or broken documents into errors instead of exhausted memory or
// stack: a "billion laughs" of aliases, or an alias that contains itself.
const (
	maxNodes = 1 << 18 // nodes a document may expand to; real manifests have hundreds
	maxDepth = 1000    // nesting after expansion; real manifests have a dozen
)

// expander copies a node tree with every alias replaced by a copy of its anchor's value and
// every merge key (<<) resolved. The Cloud Controller refuses anchors and aliases, and the
// fields are easier to read from a plain tree.
type expander struct {
	left   int                 // node budget
	active map[*yaml.Node]bool // anchors being expanded, to catch an alias inside itself
}

func newExpander() *expander {
	return &expander{left: maxNodes, active: map[*yaml.Node]bool{}}
}

func (e *expander) expand(n *yaml.Node, depth int) (*yaml.Node, error) {
	if e.left--; e.left < 0 {
		return nil, fmt.Errorf("line %d: document expands to more than %d nodes (aliases?)", n.Line, maxNodes)
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("line %d: document nests deeper than %d levels", n.Line, maxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return e.alias(n, depth)
	case yaml.MappingNode:
		return e.mapping(n, depth)
	case yaml.SequenceNode, yaml.DocumentNode:
		out := bare(n)
		for _, c := range n.Content {
			x, err := e.expand(c, depth+1)
			if err != nil {
				return nil, err
			}
			out.Content = append(out.Content, x)
		}
		return out, nil
	}
	return bare(n), nil
}

func (e *expander) alias(n *yaml.Node, depth int) (*yaml.Node, error) {
	target := n.Alias
	if target == nil {
		return nil, fmt.Errorf("line %d: alias without an anchor", n.Line)
	}
	if e.active[target] {
		return nil, fmt.Errorf("line %d: alias *%s is inside its own anchor", n.Line, n.Value)
	}
	e.active[target] = true
	defer delete(e.active, target)
	return e.expand(target, depth+1)
}

// mapping keeps the explicit keys in order, then appends the merged ones the map does not
// define itself; among several merged maps the first wins, as the YAML merge spec says.
func (e *expander) mapping(n *yaml.Node, depth int) (*yaml.Node, error) {
	out := bare(n)
	seen := map[string]bool{}
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			m, err := e.mergeSources(v, depth)
			if err != nil {
				return nil, err
			}
			merged = append(merged, m...)
			continue
		}
		if k.Kind == yaml.ScalarNode {
			if seen[k.Value] {
				return nil, fmt.Errorf("line %d: mapping key defined twice", k.Line)
			}
			seen[k.Value] = true
		}
		if err := e.appendPair(out, k, v, depth); err != nil {
			return nil, err
		}
	}
	for _, m := range merged {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if k.Kind == yaml.ScalarNode {
				if seen[k.Value] {
					continue
				}
				seen[k.Value] = true
			}
			out.Content = append(out.Content, k, m.Content[i+1])
		}
	}
	return out, nil
}

func (e *expander) appendPair(out, k, v *yaml.Node, depth int) error {
	xk, err := e.expand(k, depth+1)
	if err != nil {
		return err
	}
	xv, err := e.expand(v, depth+1)
	if err != nil {
		return err
	}
	out.Content = append(out.Content, xk, xv)
	return nil
}

// mergeSources expands the value of a << key: one map, or a list of maps.
func (e *expander) mergeSources(v *yaml.Node, depth int) ([]*yaml.Node, error) {
	x, err := e.expand(v, depth+1)
	if err != nil {
		return nil, err
	}
	list := []*yaml.Node{x}
	if x.Kind == yaml.SequenceNode {
		list = x.Content
	}
	for _, m := range list {
		if m.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: << must merge a map or a list of maps", v.Line)
		}
	}
	return list, nil
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}

// bare copies a node without its children, anchor or comments: what Render sends must not
// carry anchors, and comments add nothing for the Cloud Controller.
func bare(n *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Line: n.Line, Column: n.Column}
}

// clone deep-copies an expanded tree (one without aliases), so Render can edit its copy.
func clone(n *yaml.Node) *yaml.Node {
	out := bare(n)
	for _, c := range n.Content {
		out.Content = append(out.Content, clone(c))
	}
	return out
}
