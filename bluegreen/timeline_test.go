package bluegreen_test

import (
	"bytes"
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

var _ = Describe("the timeline of a release of several apps", func() {
	It("writes each app's steps, notes and failures to the one timeline, named for the app", func() {
		var out bytes.Buffer
		tl := bluegreen.NewTimeline(&out)
		api, web := tl.For("api"), tl.For("web%d")
		Expect(api.Step("stage", func() error { return nil })).To(Succeed())
		web.Note("found %d instances", 2)
		Expect(web.Step("start", func() error { return errors.New("crashed") })).To(MatchError("crashed"))
		api.For("ignored").Fail("undoing")

		Expect(out.String()).To(MatchRegexp(`✓\x1b\[0m api: stage +\d+s`))
		Expect(out.String()).To(ContainSubstring("  web%d: found 2 instances\n"), "an app name is never read as a format")
		Expect(out.String()).To(MatchRegexp(`✗ web%d: start +\d+s  crashed`))
		Expect(out.String()).To(ContainSubstring("ignored: undoing"))
		Expect(tl.Phases).To(HaveLen(2))
		Expect(tl.Phases[0].Name).To(Equal("api: stage"))
		Expect(tl.Phases[1].Name).To(Equal("web%d: start"))
	})
})
