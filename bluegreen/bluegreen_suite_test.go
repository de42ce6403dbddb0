package bluegreen_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestBluegreen(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "bluegreen")
}
