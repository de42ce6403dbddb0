// Package ci_test checks the project's own Concourse pipeline without a Concourse: every
// resource, task file, script, input and Dockerfile target it refers to exists.
package ci_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "ci")
}
