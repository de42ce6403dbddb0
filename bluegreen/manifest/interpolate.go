package manifest

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// interpolator replaces ((name)) references in string scalars (values and keys) of a parsed
// document. Working on the tree, not the text, means a value holding ": " or a newline stays
// one value; and a replaced value is never scanned again, so a secret containing "((" is safe.
type interpolator struct {
	vars    *varSet
	missing map[string]bool
	err     error // first unusable value; missing names are collected instead
}

func interpolate(doc *yaml.Node, vars *varSet) error {
	in := &interpolator{vars: vars, missing: map[string]bool{}}
	in.walk(doc)
	if len(in.missing) > 0 {
		names := make([]string, 0, len(in.missing))
		for name := range in.missing {
			names = append(names, name)
		}
		slices.Sort(names)
		return &MissingVarsError{Names: names}
	}
	return in.err
}

// walk skips aliases: their anchor is interpolated where it is defined, and walking them
// could loop on an alias inside its own anchor.
func (in *interpolator) walk(n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			in.walk(c)
		}
	case yaml.MappingNode:
		for i, c := range n.Content {
			if i%2 == 0 && c.Kind == yaml.ScalarNode {
				in.key(c)
				continue
			}
			in.walk(c)
		}
	case yaml.ScalarNode:
		in.scalar(n)
	}
}

// key interpolates a map key; a variable may not turn it into a map or a list, which no
// manifest field has and the Cloud Controller could not read.
func (in *interpolator) key(k *yaml.Node) {
	in.scalar(k)
	if k.Kind != yaml.ScalarNode {
		in.fail(fmt.Errorf("line %d: a variable used as a map key must be a string or a number", k.Line))
	}
}

// scalar replaces a string that is exactly one reference by the variable's value, keeping its
// type (a number stays a number, a map stays a map); references inside a longer string are
// replaced by the values' text.
func (in *interpolator) scalar(n *yaml.Node) {
	if n.ShortTag() != "!!str" {
		return
	}
	refs := findRefs(n.Value)
	if len(refs) == 0 {
		return
	}
	if len(refs) == 1 && refs[0].start == 0 && refs[0].end == len(n.Value) {
		in.whole(n, refs[0].name)
		return
	}
	in.inside(n, refs)
}

func (in *interpolator) whole(n *yaml.Node, name string) {
	v, ok := in.value(name)
	if !ok {
		return
	}
	// Shallow copy: the value's children are shared, never edited (expansion copies them).
	// Position and anchor stay, so errors point at the manifest line and aliases still work.
	line, col, anchor := n.Line, n.Column, n.Anchor
	*n = *v
	n.Line, n.Column, n.Anchor = line, col, anchor
}

func (in *interpolator) inside(n *yaml.Node, refs []ref) {
	var b strings.Builder
	last, complete := 0, true
	for _, r := range refs {
		b.WriteString(n.Value[last:r.start])
		last = r.end
		v, ok := in.value(r.name)
		if !ok {
			complete = false
			continue
		}
		if v.Kind != yaml.ScalarNode {
			in.fail(fmt.Errorf("line %d: variable %q is a map or a list and cannot be part of a longer string", n.Line, r.name))
			complete = false
			continue
		}
		b.WriteString(v.Value)
	}
	if complete {
		b.WriteString(n.Value[last:])
		n.Value, n.Tag = b.String(), "!!str"
		if n.Style == 0 && ambiguousIn11(n.Value) {
			n.Style = yaml.DoubleQuotedStyle
		}
	}
}

// value looks a reference up, recording it as missing or failing when it cannot be used.
func (in *interpolator) value(name string) (*yaml.Node, bool) {
	v, found, err := in.vars.lookup(name)
	switch {
	case err != nil:
		in.fail(err)
	case !found:
		in.missing[name] = true
	}
	return v, found && err == nil
}

func (in *interpolator) fail(err error) {
	if in.err == nil {
		in.err = err
	}
}

// ref is one ((name)) in a string: its byte span and the variable name without the
// optional leading "!" that bosh-style templates allow.
type ref struct {
	start, end int
	name       string
}

// findRefs finds references as the cf CLI's pattern \(\((!?[-/\.\w\pL]+)\)\) does, leftmost
// first; text that does not form one, such as "((a b))", stays as written.
func findRefs(s string) []ref {
	var refs []ref
	for i := 0; i+4 <= len(s); {
		if r, ok := refAt(s, i); ok {
			refs = append(refs, r)
			i = r.end
			continue
		}
		i++
	}
	return refs
}

func refAt(s string, i int) (ref, bool) {
	if !strings.HasPrefix(s[i:], "((") {
		return ref{}, false
	}
	j := i + 2
	if j < len(s) && s[j] == '!' {
		j++
	}
	nameStart := j
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isNameRune(r) {
			break
		}
		j += size
	}
	if j == nameStart || !strings.HasPrefix(s[j:], "))") {
		return ref{}, false
	}
	return ref{start: i, end: j + 2, name: s[nameStart:j]}, true
}

func isNameRune(r rune) bool {
	return r == '-' || r == '/' || r == '.' || r == '_' || unicode.IsLetter(r) || (r >= '0' && r <= '9')
}
