package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// defaultIgnores are what the cf CLI never uploads. They are applied after the user's
// .cfignore, so a `!.git` line cannot send a repository's history to the platform. The
// manifest is excluded at the app root only: a nested manifest.yml may be the app's data.
func defaultIgnores() []string {
	return []string{".cfignore", "/manifest.yml", ".gitignore", ".git", ".hg", ".svn", "_darcs", ".DS_Store"}
}

// ignorePattern is one .cfignore line in gitignore form: segments matched against the
// slash-separated path from the app root, where "**" spans any number of folders.
type ignorePattern struct {
	segs    []string
	negate  bool // `!pattern` re-includes
	dirOnly bool // `pattern/` matches folders only
}

// ignorer decides what is left out of the zip; the last matching pattern wins, as in git.
type ignorer struct {
	patterns []ignorePattern
}

// loadIgnorer reads root/.cfignore (absent means none) and adds the default exclusions.
func loadIgnorer(root string) (*ignorer, error) {
	file := filepath.Join(root, ".cfignore")
	data, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	patterns, err := parseIgnore(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s %w", file, err)
	}
	defaults, _ := parseIgnore(strings.Join(defaultIgnores(), "\n"))
	return &ignorer{patterns: append(patterns, defaults...)}, nil
}

func parseIgnore(text string) ([]ignorePattern, error) {
	var out []ignorePattern
	for i, line := range strings.Split(text, "\n") {
		p, ok, err := parseIgnoreLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// parseIgnoreLine follows gitignore: blank lines and #comments are skipped, `\#` and `\!`
// escape a leading character, a slash at the start or in the middle anchors the pattern to
// the root, and a pattern without one matches at any depth.
func parseIgnoreLine(line string) (ignorePattern, bool, error) {
	line = strings.TrimRight(line, " \t\r")
	var p ignorePattern
	if line == "" || line[0] == '#' {
		return p, false, nil
	}
	if line[0] == '!' {
		p.negate, line = true, line[1:]
	} else if strings.HasPrefix(line, `\#`) || strings.HasPrefix(line, `\!`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		p.dirOnly, line = true, strings.TrimRight(line, "/")
	}
	if !strings.Contains(line, "/") {
		line = "**/" + line
	}
	p.segs = splitPattern(line)
	if len(p.segs) == 0 {
		return p, false, nil
	}
	for _, s := range p.segs {
		if _, err := path.Match(s, ""); err != nil {
			return p, false, fmt.Errorf("bad pattern %q: %w", line, err)
		}
	}
	return p, true, nil
}

// splitPattern drops empty segments (a leading "/" anchors, which every split pattern is) and
// folds repeated "**", which would only slow matching.
func splitPattern(line string) []string {
	var segs []string
	for _, s := range strings.Split(line, "/") {
		if s == "" || (s == "**" && len(segs) > 0 && segs[len(segs)-1] == "**") {
			continue
		}
		segs = append(segs, s)
	}
	return segs
}

// ignored says whether rel (slash-separated, from the app root) is left out. A folder's
// contents are not asked about once the folder is left out: as in git, a file cannot be
// re-included from an excluded folder.
func (ig *ignorer) ignored(rel string, isDir bool) bool {
	name := strings.Split(rel, "/")
	out := false
	for _, p := range ig.patterns {
		if (!p.dirOnly || isDir) && matchSegs(p.segs, name) {
			out = !p.negate
		}
	}
	return out
}

// matchSegs matches pattern segments against path segments. A leading or inner "**" spans zero
// or more folders; a trailing "**" one or more, so `dir/**` matches what is inside dir, not
// dir itself, and `!dir/keep` can still re-include. It fills a table of "pattern from i
// matches path from j" from the ends, so a line with many "**" cannot take exponential time.
func matchSegs(pat, name []string) bool {
	cols := len(name) + 1
	ok := make([]bool, (len(pat)+1)*cols) // ok[i*cols+j]: pat[i:] matches name[j:]
	ok[len(pat)*cols+len(name)] = true
	for i := len(pat) - 1; i >= 0; i-- {
		for j := len(name); j >= 0; j-- {
			ok[i*cols+j] = matchAt(pat, name, i, j, ok, cols)
		}
	}
	return ok[0]
}

func matchAt(pat, name []string, i, j int, ok []bool, cols int) bool {
	rest := j < len(name) // a path segment is left
	if pat[i] == "**" {
		if i == len(pat)-1 {
			return rest
		}
		return ok[(i+1)*cols+j] || (rest && ok[i*cols+j+1])
	}
	if !rest {
		return false
	}
	m, _ := path.Match(pat[i], name[j])
	return m && ok[(i+1)*cols+j+1]
}
