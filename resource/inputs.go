package resource

import (
	"fmt"
	"path/filepath"
	"strings"
)

// inputPath resolves a param that names a file or folder under the inputs folder: a glob
// must match exactly one path, and no path may leave the inputs folder.
func inputPath(field, dir, pattern string) (string, error) {
	if filepath.IsAbs(pattern) {
		return "", fmt.Errorf("%s: %q must be relative to the inputs folder", field, pattern)
	}
	full := filepath.Join(dir, pattern)
	if !within(dir, full) {
		return "", fmt.Errorf("%s: %q leaves the inputs folder", field, pattern)
	}
	matches, err := filepath.Glob(full)
	if err != nil {
		return "", fmt.Errorf("%s: %q is not a valid glob: %w", field, pattern, err)
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%s: %q matches nothing in the inputs folder", field, pattern)
	case 1:
		if resolved, err := filepath.EvalSymlinks(matches[0]); err == nil && !within(mustAbs(dir), mustAbs(resolved)) {
			return "", fmt.Errorf("%s: %q points outside the inputs folder", field, pattern)
		}
		return matches[0], nil
	}
	var rel []string
	for _, m := range matches {
		r, _ := filepath.Rel(dir, m)
		rel = append(rel, r)
	}
	return "", fmt.Errorf("%s: %q matches %d paths (%s); it must match one", field, pattern, len(matches), strings.Join(rel, ", "))
}

func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func mustAbs(p string) string {
	if abs, err := filepath.EvalSymlinks(p); err == nil {
		p = abs
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return abs
}
