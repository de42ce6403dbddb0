package candidate_test

import (
	"context"
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

var _ = Describe("a blue-green deploy held by a release of several apps", func() {
	var (
		w    *world
		live *fakeApp
	)
	undone := errors.New("undone: web failed")

	BeforeEach(func() {
		w = newWorld()
		live = w.seedLive(2, liveURL, internalURL)
	})

	It("changes nothing but its lease when the release lets it go at the lease", func() {
		w.plan.Hold = bluegreen.Hold{Leased: func(context.Context) error { return undone }}
		_, err := w.deploy()
		Expect(err).To(MatchError(undone))
		liveUntouched(w, live, urls)
		Expect(count(w.cf.Calls(), "ApplyManifest")).To(BeZero())
	})

	It("holds after the observation, the old app still running, and switches back, proven, when the release is undone", func() {
		held := false
		w.plan.Hold = bluegreen.Hold{Proven: func(context.Context) error {
			held = true
			Expect(w.cf.AppByGUID(live.GUID).State).To(Equal("STARTED"), "the old app runs while held")
			return undone
		}}
		_, err := w.deploy()
		Expect(held).To(BeTrue())
		Expect(err).To(MatchError(ContainSubstring("wait for the other apps: undone: web failed")))
		Expect(errors.Is(err, bluegreen.ErrUnrecovered)).To(BeFalse())
		switchedBack(w, live)
	})

	It("finalizes once the release commits", func() {
		w.plan.Hold = bluegreen.Hold{Leased: func(context.Context) error { return nil }, Proven: func(context.Context) error { return nil }}
		res, err := w.deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.AppByGUID(res.AppGUID).Name).To(Equal(appName))
	})
})
