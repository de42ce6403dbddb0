package manifest

import (
	"strings"
	"testing"
)

// FuzzIgnore checks that any .cfignore text parses or fails cleanly, and that matching it
// against paths neither panics nor takes long.
func FuzzIgnore(f *testing.F) {
	f.Add("*.log\n!keep.log\nbuild/\n/root.txt\ndocs/**/*.md\n", "docs/a/b/c.md")
	f.Add("a/**/b/**/c/**/d\n\\#x\n\\!y\n[a-\n", "a/x/b/y/c/z/d")
	f.Fuzz(func(t *testing.T, text, rel string) {
		patterns, err := parseIgnore(text)
		if err != nil {
			return
		}
		ig := &ignorer{patterns: patterns}
		name := strings.Trim(rel, "/")
		ig.ignored(name, true)
		ig.ignored(name, false)
	})
}
