package main

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The suite holds the Ginkgo specs of the bench's pure parts; the older tests beside them
// are plain Go tests, run by the same go test.
func TestBench(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "bench")
}
