package release_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/release"
)

// journal is what the fake flows did, in order.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events = append(j.events, fmt.Sprintf(format, args...))
}

func (j *journal) all() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.events...)
}

// flow is a fake app flow: it behaves as the real ones do at their hold points, and fails
// where it is told to.
type flow struct {
	name      string
	failLease error // fails before its lease (a lease timeout)
	failProve error // fails while deploying, having undone itself
	undoFails bool  // its undo fails: it ends not back on the old version
	j         *journal
}

func (f flow) app() release.App {
	return release.App{Name: f.name, Deploy: func(ctx context.Context, hold bluegreen.Hold, _ *bluegreen.Timeline) (bluegreen.Result, error) {
		res := bluegreen.Result{AppName: f.name}
		if f.failLease != nil {
			return res, f.failLease
		}
		f.j.add("%s leased", f.name)
		if err := hold.AtLeased(ctx); err != nil {
			f.j.add("%s let go", f.name)
			return res, err
		}
		f.j.add("%s deployed", f.name)
		if f.failProve != nil {
			f.j.add("%s undone", f.name)
			return res, f.failProve
		}
		if err := hold.AtProven(ctx); err != nil {
			if f.undoFails {
				return res, bluegreen.Unrecovered(fmt.Errorf("%w (and switching back failed: no router answered)", err))
			}
			f.j.add("%s undone", f.name)
			return res, err
		}
		f.j.add("%s committed", f.name)
		res.AppGUID = f.name + "-guid"
		return res, nil
	}}
}

func releaseOf(ctx context.Context, flows ...flow) ([]bluegreen.Result, error) {
	apps := make([]release.App, len(flows))
	for i, f := range flows {
		apps[i] = f.app()
	}
	return release.Release(ctx, apps, bluegreen.NewTimeline(io.Discard))
}

var _ = Describe("Release of several apps, all or nothing", func() {
	var j *journal
	BeforeEach(func() { j = &journal{} })

	It("leases every app before the first deploys, proves each in order, then commits them all", func() {
		res, err := releaseOf(context.Background(), flow{name: "api", j: j}, flow{name: "web", j: j})
		Expect(err).NotTo(HaveOccurred())
		Expect(j.all()).To(Equal([]string{"api leased", "web leased", "api deployed", "web deployed", "api committed", "web committed"}))
		Expect(res).To(HaveLen(2))
		Expect(res[0].AppGUID).To(Equal("api-guid"))
		Expect(res[1].AppGUID).To(Equal("web-guid"))
	})

	It("undoes the apps already proven, newest first, when a later one fails, and names the one that failed", func() {
		crash := errors.New("settle: process worker crashed")
		_, err := releaseOf(context.Background(), flow{name: "db-api", j: j}, flow{name: "api", j: j},
			flow{name: "web", failProve: crash, j: j})
		Expect(err).To(MatchError(ContainSubstring("web: settle: process worker crashed")))
		Expect(err).To(MatchError(ContainSubstring("undone, newest first, each proven serving its old version again: api, db-api")))
		Expect(errors.Is(err, crash)).To(BeTrue())
		Expect(j.all()).To(Equal([]string{"db-api leased", "api leased", "web leased", "db-api deployed", "api deployed",
			"web deployed", "web undone", "api undone", "db-api undone"}))
	})

	It("lets the later apps go unchanged: they were only leased", func() {
		_, err := releaseOf(context.Background(), flow{name: "api", failProve: errors.New("stage: failed"), j: j}, flow{name: "web", j: j})
		Expect(err).To(MatchError(HavePrefix("api: stage: failed")))
		Expect(err.Error()).NotTo(ContainSubstring("undone,"))
		Expect(j.all()).To(Equal([]string{"api leased", "web leased", "api deployed", "api undone", "web let go"}))
	})

	It("changes nothing when an app cannot be leased: the apps leased before it are let go", func() {
		_, err := releaseOf(context.Background(), flow{name: "api", j: j},
			flow{name: "web", failLease: errors.New("another deploy holds the lease on web"), j: j}, flow{name: "worker", j: j})
		Expect(err).To(MatchError(HavePrefix("web: another deploy holds the lease on web")))
		Expect(j.all()).To(Equal([]string{"api leased", "api let go"}))
	})

	It("says which app it could not undo", func() {
		_, err := releaseOf(context.Background(), flow{name: "api", undoFails: true, j: j},
			flow{name: "web", failProve: errors.New("verify: 404"), j: j})
		Expect(err).To(MatchError(ContainSubstring("undoing failed for api: ")))
		Expect(err).To(MatchError(ContainSubstring("switching back failed: no router answered")))
		Expect(err.Error()).NotTo(ContainSubstring("undone,"))
	})

	It("fails, undoing the others, when an app held for them ends by itself (its params.timeout ran out)", func() {
		timedOut := errors.New("wait for the other apps: context deadline exceeded; switched back")
		api := release.App{Name: "api", Deploy: func(ctx context.Context, hold bluegreen.Hold, _ *bluegreen.Timeline) (bluegreen.Result, error) {
			if err := hold.AtLeased(ctx); err != nil {
				return bluegreen.Result{}, err
			}
			j.add("api deployed")
			ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond) // the flow's own deadline
			defer cancel()
			_ = hold.AtProven(ctx)
			j.add("api undone")
			return bluegreen.Result{}, timedOut
		}}
		slow := release.App{Name: "web", Deploy: func(ctx context.Context, hold bluegreen.Hold, tl *bluegreen.Timeline) (bluegreen.Result, error) {
			if err := hold.AtLeased(ctx); err != nil {
				return bluegreen.Result{}, err
			}
			time.Sleep(100 * time.Millisecond) // longer than api's deadline
			return flow{name: "web", j: j}.app().Deploy(ctx, bluegreen.Hold{Proven: hold.Proven}, tl)
		}}
		_, err := release.Release(context.Background(), []release.App{api, slow}, bluegreen.NewTimeline(io.Discard))
		Expect(err).To(MatchError(HavePrefix("api: wait for the other apps: context deadline exceeded")))
		Expect(err).To(MatchError(ContainSubstring("undone, newest first, each proven serving its old version again: web")))
		Expect(j.all()).To(Equal([]string{"api deployed", "api undone", "web leased", "web deployed", "web undone"}))
	})

	It("on an abort, ends every hold at once: the proven apps undo themselves, and the error stays an abort", func() {
		ctx, cancel := context.WithCancelCause(context.Background())
		aborted := errors.New("SIGTERM")
		web := release.App{Name: "web", Deploy: func(ctx context.Context, hold bluegreen.Hold, _ *bluegreen.Timeline) (bluegreen.Result, error) {
			if err := hold.AtLeased(ctx); err != nil {
				return bluegreen.Result{}, err
			}
			cancel(aborted) // aborted while web deploys
			<-ctx.Done()
			return bluegreen.Result{}, context.Cause(ctx)
		}}
		_, err := release.Release(ctx, []release.App{flow{name: "api", j: j}.app(), web}, bluegreen.NewTimeline(io.Discard))
		Expect(errors.Is(err, aborted)).To(BeTrue())
		Expect(err).To(MatchError(ContainSubstring("undone, newest first, each proven serving its old version again: api")))
		Expect(j.all()).To(Equal([]string{"api leased", "api deployed", "api undone"}))
	})
})
