package candidate_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCandidate(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "candidate (blue-green)")
}
