package cf_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/contract"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// The real port, on the simulated foundation, keeps the contract the fake foundation of the
// engine's unit suites is held to (bluegreen/internal/fakecf).
// The suite's app writes its own log lines, so AppLogs is left nil.
var _ = contract.Specs("the Cloud Controller port on cfsim", func() contract.Foundation {
	ctx := context.Background()
	// The image stands for the folder the suite built the app in: cfsim runs its one executable.
	images := map[string]string{dockerImage: filepath.Dir(appZip)}
	sim, err := cfsim.Start(cfsim.Config{Routers: 1, DeploymentInterval: 100 * time.Millisecond,
		StagingTime: 10 * time.Millisecond, ServiceOperationTime: 300 * time.Millisecond, DockerImages: images})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(sim.Close)
	info := sim.Info()
	port, err := cf.Connect(ctx, cf.Config{API: info.APIURL, Username: info.Username, Password: info.Password})
	Expect(err).NotTo(HaveOccurred())
	look, err := cfpush.Login(info.APIURL, info.Username, info.Password)
	Expect(err).NotTo(HaveOccurred())
	space, err := port.Space(ctx, info.Org, info.Space)
	Expect(err).NotTo(HaveOccurred())
	return contract.Foundation{Port: port, Org: info.Org, Space: info.Space, Bits: versionedZip, DockerImage: dockerImage,
		Patience: 20 * time.Second,
		CreateUserProvidedService: func(name string, credentials map[string]any) string {
			return createUserProvided(ctx, look, space.GUID, name, credentials)
		},
		CreateManagedService: func(name string, async bool) string {
			return createManaged(ctx, look, space.GUID, name, async)
		},
	}
})

// dockerImage is the image cfsim serves from the folder holding the suite's app.
const dockerImage = "registry.example.com/team/versioned:v1"

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
