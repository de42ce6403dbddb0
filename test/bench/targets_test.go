package main

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// goodDeploy meets every target of a strategy of ours.
func goodDeploy(calls int) deployStats {
	return deployStats{Wall: msec(10000), CCCalls: calls, Lags: []time.Duration{msec(20), msec(100)}}
}

// goodFoundation is a foundation on which every target is met: blue-green at 1.05× its floor
// (floor 9000 ms), rolling at 1.1× the cf CLI's.
func goodFoundation() foundationResult {
	bg := blueGreenDeploy(msec(9450), msec(3000), msec(2000)) // floor 300 + 100 + 2 × 3000 + 2000 = 8400
	bg.Platform.Start = msec(700)                             // floor 9000
	bg.CCCalls, bg.Lags = 64, []time.Duration{msec(10)}
	return foundationResult{Kind: foundationKinds()[1], Rows: []row{
		oursRow("bluegreen", bg),
		oursRow("rolling", deployStats{Wall: msec(11000), CCCalls: 103, Lags: []time.Duration{msec(5)}}),
		oursRow("canary", goodDeploy(176)),
		cliRow(deployStats{Wall: msec(10000), CCCalls: 190}),
	}}
}

func missed(ts []target) []string {
	var out []string
	for _, t := range ts {
		if !t.Met {
			out = append(out, t.Text)
		}
	}
	return out
}

var _ = Describe("the targets", func() {
	It("are all met by a foundation within every limit, each strategy of ours checked", func() {
		ts := targetsOf([]foundationResult{goodFoundation()}, nil)
		Expect(missed(ts)).To(BeEmpty())
		Expect(ts).To(HaveLen(3*3 + 2)) // failed, lag, CC calls per strategy; floor; rolling over the CLI
		Expect(ts[0].Text).To(HavePrefix("fast updater: ours: bluegreen: 0 failed requests"))
	})

	It("misses 0 failed requests for one failed request", func() {
		fr := goodFoundation()
		fr.Rows[2].Deploys[0].Failed = 1
		Expect(missed(targetsOf([]foundationResult{fr}, nil))).To(ConsistOf(HavePrefix("fast updater: ours: canary: 1 failed requests")))
	})

	It("misses the verification lag at 101 ms at the max, and when there is none to measure", func() {
		fr := goodFoundation()
		fr.Rows[0].Deploys[0].Lags = []time.Duration{msec(5), msec(101)}
		fr.Rows[1].Deploys[0].Lags = nil
		Expect(missed(targetsOf([]foundationResult{fr}, nil))).To(ConsistOf(
			ContainSubstring("ours: bluegreen: verification lag max 101 ms"),
			ContainSubstring("ours: rolling: verification lag max 0"),
		))
	})

	It("allows CC calls up to the figure before the issue plus 20 %", func() {
		fr := goodFoundation()
		fr.Rows[0].Deploys[0].CCCalls = 77 // 64 × 1.2 = 76.8
		Expect(missed(targetsOf([]foundationResult{fr}, nil))).To(ConsistOf(
			"fast updater: ours: bluegreen: 77 CC calls per deploy (target at most 76.8: 64 before issue 17, plus 20 %)"))
	})

	It("misses blue-green over 1.10× the verified floor", func() {
		fr := goodFoundation()
		fr.Rows[0].Deploys[0].Wall = msec(9991)
		Expect(missed(targetsOf([]foundationResult{fr}, nil))).To(ConsistOf(
			"fast updater: blue-green deploy time 9991 ms is 1.11× the verified floor 9000 ms (target at most 1.10×)"))
	})

	It("misses rolling over 1.2× the cf CLI's rolling on the same foundation", func() {
		fr := goodFoundation()
		fr.Rows[1].Deploys[0].Wall = msec(12100)
		Expect(missed(targetsOf([]foundationResult{fr}, nil))).To(ConsistOf(ContainSubstring("ours rolling 12.1 s is 1.21×")))
	})

	It("checks every foundation on its own, and the large app's memory and upload", func() {
		bad := goodFoundation()
		bad.Kind = foundationKinds()[2]
		bad.Rows[1].Deploys[0].Failed = 3
		large := &largeResult{Bytes: 100 << 20, First: largeDeploy{MaxRSSKB: 70 << 10}, Redeploy: largeDeploy{Uploaded: 1 << 10}}
		ts := targetsOf([]foundationResult{goodFoundation(), bad}, large)
		Expect(missed(ts)).To(ConsistOf(HavePrefix("wide: ours: rolling: 3 failed"), HavePrefix("out's peak RSS")))
	})

	It("says a missed target is missed", func() {
		text := targetsText([]target{{Met: true, Text: "a"}, {Met: false, Text: "b"}})
		Expect(strings.Split(strings.TrimSpace(text), "\n")[2:]).To(Equal([]string{"- ✓ a", "- ✗ missed b"}))
	})
})
