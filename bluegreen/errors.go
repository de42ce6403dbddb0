package bluegreen

import (
	"errors"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Flatten writes the errors collected from several steps (a go-multierror) on one line.
func Flatten(err error) string {
	var merr *multierror.Error
	if !errors.As(err, &merr) {
		return err.Error()
	}
	parts := make([]string, len(merr.Errors))
	for i, e := range merr.Errors {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}
