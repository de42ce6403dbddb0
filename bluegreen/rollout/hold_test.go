package rollout_test

import (
	"context"
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/fakecf"
)

var _ = Describe("a rolling deploy held by a release of several apps", func() {
	var (
		w    *world
		live *fakeApp
	)
	undone := errors.New("undone: web failed")

	BeforeEach(func() { w, live = rollingWorld(1) })

	It("takes the app's lock before its first change and deletes it at the end", func() {
		w.plan.Hold = bluegreen.Hold{Proven: func(context.Context) error { return nil }}
		_, err := deployRolling(w)
		Expect(err).NotTo(HaveOccurred())
		calls := w.cf.Calls()
		inOrder("lock, deploy, unlock", first(calls, "CreateApp", fakecf.SpaceGUID, appName+"-candidate"), first(calls, "CreateDeployment"),
			last(calls, "DeleteApp"))
		Expect(w.cf.AppNamed(appName+"-candidate")).To(BeNil(), "the lock is gone")
	})

	It("rolls back to the previous revision, verified, when the release is undone once CAPI finished", func() {
		w.plan.Hold = bluegreen.Hold{Proven: func(context.Context) error { return undone }}
		res, err := deployRolling(w)
		Expect(err).To(MatchError(ContainSubstring("wait for the other apps: undone: web failed")))
		Expect(err).To(MatchError(ContainSubstring("rolled back to revision 1, verified")))
		Expect(errors.Is(err, bluegreen.ErrUnrecovered)).To(BeFalse())
		Expect(res.RolledBack).To(BeTrue())
		Expect(w.cf.AppByGUID(live.GUID).State).To(Equal("STARTED"))
	})
})
