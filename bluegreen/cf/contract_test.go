package cf_test

import (
	"context"
	"io"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/contract"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

// The real port, on the simulated foundation, keeps the contract the fake foundation of the
// engine's unit suites is held to (bluegreen/internal/fakecf).
var _ = contract.Specs("the Cloud Controller port on cfsim", func() contract.Foundation {
	sim, err := cfsim.Start(cfsim.Config{Routers: 1, DeploymentInterval: 100 * time.Millisecond,
		StagingTime: 10 * time.Millisecond})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(sim.Close)
	info := sim.Info()
	port, err := cf.Connect(context.Background(), cf.Config{API: info.APIURL, Username: info.Username, Password: info.Password})
	Expect(err).NotTo(HaveOccurred())
	return contract.Foundation{Port: port, Org: info.Org, Space: info.Space, Bits: versionedZip, Patience: 20 * time.Second}
})

// versionedZip streams the suite's app.
func versionedZip(w io.Writer) error {
	f, err := os.Open(appZip)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
