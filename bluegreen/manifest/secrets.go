package manifest

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Values lists the text of every scalar in the given vars and in the vars files, nested
// maps and lists included: any of them may be a credential, so a redactor hides them all
// (it skips the short and plain ones itself). Files are read as Load reads them.
func Values(vars map[string]any, varsFiles []string) ([]string, error) {
	var out []string
	for name, v := range vars {
		n, err := toNode(v, 0)
		if err != nil {
			return out, fmt.Errorf("variable %q %w", name, err)
		}
		out = appendScalars(out, n)
	}
	for _, path := range varsFiles {
		file, err := readVarsFile(path)
		if err != nil {
			return out, err
		}
		for _, n := range file {
			out = appendScalars(out, n)
		}
	}
	return out, nil
}

func appendScalars(out []string, n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return append(out, n.Value)
	}
	for _, c := range n.Content {
		out = appendScalars(out, c)
	}
	return out
}
