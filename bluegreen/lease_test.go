package bluegreen_test

import (
	"context"
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// refusingApps is a Cloud Controller that refuses every app update.
type refusingApps struct{ bluegreen.Apps }

func (refusingApps) Update(context.Context, string, string, map[string]*string, map[string]*string) error {
	return errors.New("CF-ServiceUnavailable: update app")
}

func (refusingApps) CreateApp(_ context.Context, _, name string, _, _ map[string]string) (*platform.App, error) {
	return &platform.App{GUID: "lock-guid", Name: name}, nil
}

var _ = Describe("a lease whose renewal fails", func() {
	It("says so in the log, with when it runs out", func() {
		out := gbytes.NewBuffer()
		l := &bluegreen.Lease{CC: refusingApps{}, Log: bluegreen.NewTimeline(out), SpaceGUID: "space-guid",
			For: "shop", Name: "shop-candidate", TTL: 30 * time.Millisecond, ID: "d-1"}
		_, err := l.Take(context.Background(), time.Second, nil)
		Expect(err).NotTo(HaveOccurred())
		l.Heartbeat(context.Background())
		Eventually(out).Should(gbytes.Say(`renewing the lease on shop-candidate failed \(it runs out at the latest 30ms after the last renewal\): CF-ServiceUnavailable: update app`))
		l.Stop()
	})
})
