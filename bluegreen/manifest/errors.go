package manifest

import (
	"fmt"
	"strings"
)

// MissingVarsError lists every ((variable)) the manifest uses that no source defines, so a
// user fixes them all in one go. Its text is the cf CLI's, which users already search for.
type MissingVarsError struct {
	Names []string // sorted, each once; a dotted name when only a nested key is missing
}

func (e *MissingVarsError) Error() string {
	return "Expected to find variables: " + strings.Join(e.Names, ", ")
}

// FieldError says which app (or list entry) and which field of the manifest is wrong. It
// never quotes the field's value: it may have come from a secret variable.
type FieldError struct {
	Where   string // `app "web"`, `applications[2]`, `app "web" processes[0]`
	Field   string // `memory`, `routes[1].route`, `env.PORT`
	Problem string
}

func (e *FieldError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("%s: %s: %s", e.Where, e.Field, e.Problem)
}

// problems is every validation failure of one manifest, reported together on one line each
// separated by "; " so a log line shows them all.
type problems []error

func (p problems) Error() string {
	msgs := make([]string, len(p))
	for i, err := range p {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (p problems) Unwrap() []error { return p }

// join returns nil when there is nothing to report.
func (p problems) join() error {
	if len(p) == 0 {
		return nil
	}
	return p
}
