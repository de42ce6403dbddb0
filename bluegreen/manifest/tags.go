package manifest

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// standardTag reports the YAML tags a manifest may carry. A custom tag (!thing) would hide
// its value from ((var)) interpolation and mean nothing to the Cloud Controller.
func standardTag(tag string) bool {
	switch tag {
	case "!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq", "!!merge", "!!timestamp", "!!binary":
		return true
	}
	return false
}

// checkTags refuses any node with a custom tag.
func checkTags(n *yaml.Node) error {
	if n.Kind != yaml.DocumentNode && n.Kind != yaml.AliasNode && !standardTag(n.ShortTag()) {
		return fmt.Errorf("line %d: the YAML tag %s is not supported in a manifest", n.Line, n.Tag)
	}
	if n.Kind == yaml.AliasNode {
		return nil // its anchor is checked where it is defined
	}
	for _, c := range n.Content {
		if err := checkTags(c); err != nil {
			return err
		}
	}
	return nil
}
