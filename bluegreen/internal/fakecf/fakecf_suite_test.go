package fakecf_test

import (
	"io"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/contract"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
)

func TestFakeCF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "the fake foundation")
}

// The fake the engine's unit suites run on keeps the contract the real port keeps on cfsim
// (bluegreen/cf's contract_test.go).
var _ = contract.Specs("the fake foundation", func() contract.Foundation {
	return contract.Foundation{Port: fakecf.New("acme", "prod"), Org: "acme", Space: "prod",
		Bits: func(w io.Writer) error { _, err := w.Write([]byte("PK")); return err }, Patience: time.Second}
})
