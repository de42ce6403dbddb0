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

// ErrUnrecovered marks a failure after which the app is not back on the version it ran before:
// its recovery failed, or (an abort once CAPI finished a deployment) did not run. A release of
// several apps reads it to say which apps it could not undo.
var ErrUnrecovered = errors.New("not recovered")

type unrecovered struct{ error }

func (u unrecovered) Is(target error) bool { return target == ErrUnrecovered }
func (u unrecovered) Unwrap() error        { return u.error }

// Unrecovered marks err as ErrUnrecovered; its text is unchanged.
func Unrecovered(err error) error { return unrecovered{err} }
