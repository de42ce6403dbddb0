package bluegreen_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

var _ = Describe("a change already on its way when the deploy is aborted", func() {
	It("runs to its end by the deploy's deadline; after the abort no change starts, and reads stay interruptible", func() {
		spy := &ctxSpy{}
		p := bluegreen.Settle(spy)
		caller, abort := context.WithCancel(context.Background())
		ctx, cancel := context.WithTimeout(caller, time.Minute)
		defer cancel()
		deadline, _ := ctx.Deadline()
		spy.whileCreating = abort

		_, err := p.CreateApp(ctx, "space-guid", "shop-candidate", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ctx.Err()).To(MatchError(context.Canceled), "the abort arrived while CC was creating the app")
		Expect(spy.createErr).To(BeNil(), "the request was cut short")
		Expect(spy.createDeadline).To(Equal(deadline))

		Expect(p.Map(ctx, "route-guid", "app-guid", "")).To(MatchError(context.Canceled))
		Expect(spy.mapped).To(BeFalse(), "a change started after the abort")

		_, _ = p.AppByName(ctx, "space-guid", "shop")
		Expect(spy.readErr).To(MatchError(context.Canceled), "a read went on after the abort")
	})
})

// ctxSpy records the contexts the platform is called with.
type ctxSpy struct {
	bluegreen.Platform
	whileCreating  func()
	createErr      error
	createDeadline time.Time
	mapped         bool
	readErr        error
}

func (s *ctxSpy) CreateApp(ctx context.Context, _, name string, _, _ map[string]string) (*platform.App, error) {
	s.whileCreating()
	s.createErr = ctx.Err()
	s.createDeadline, _ = ctx.Deadline()
	return &platform.App{GUID: "app-guid", Name: name}, nil
}

func (s *ctxSpy) Map(context.Context, string, string, string) error {
	s.mapped = true
	return nil
}

func (s *ctxSpy) AppByName(ctx context.Context, _, _ string) (*platform.App, error) {
	s.readErr = ctx.Err()
	return nil, ctx.Err()
}
