package fakecf_test

import (
	"io"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/contract"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func TestFakeCF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "the fake foundation")
}

// The fake the engine's unit suites run on keeps the contract the real port keeps on cfsim
// (bluegreen/cf's contract_test.go).
var _ = contract.Specs("the fake foundation", func() contract.Foundation {
	f := fakecf.New("acme", "prod")
	return contract.Foundation{Port: f, Org: "acme", Space: "prod",
		Bits: func(w io.Writer) error { _, err := w.Write([]byte("PK")); return err }, Patience: time.Second,
		DockerImage:               "registry.example.com/team/shop:1",
		CreateUserProvidedService: func(name string, _ map[string]any) string { return f.SeedServiceInstance(name, true) },
		CreateManagedService:      func(name string, _ bool) string { return f.SeedServiceInstance(name, false) },
		AppLogs: func(appGUID string, lines []platform.LogLine) {
			name := f.AppByGUID(appGUID).Name
			f.Logs[name] = append(f.Logs[name], lines...)
		},
		Request: f.Request,
	}
})
