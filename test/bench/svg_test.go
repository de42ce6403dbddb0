package main

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// traceOf is a deploy starting at t0 with the requests of pattern sent every 10 ms from t0
// ('o' the old version v1, 'n' the new one v2, 'x' failed), ending at end.
func traceOf(t0 time.Time, pattern string, end time.Duration) trace {
	return trace{Start: t0, End: t0.Add(end), Old: "v1", New: "v2", Samples: samplesOf(t0, pattern),
		Steps: []step{{Name: "stage", From: t0, To: t0.Add(end / 2)}, {Name: "cut over", From: t0.Add(end / 2), To: t0.Add(end)}}}
}

// wellFormed reads the whole document as XML and returns the root element's name.
func wellFormed(doc string) (string, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return root, nil
		}
		if err != nil {
			return root, err
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
}

// pathsOf is the d of every path of class in doc.
func pathsOf(doc, class string) []string {
	re := regexp.MustCompile(`<path class="` + class + `" d="([^"]*)"`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	return out
}

var _ = Describe("the SVG picture", func() {
	t0 := time.Unix(3000, 0)

	It("is well-formed XML with an svg root, whatever the names hold", func() {
		tr := traceOf(t0, "oooxnnn", 100*time.Millisecond)
		tr.Steps[0].Name = `a <step> & "quotes"`
		tr.Proofs = []mark{{At: t0.Add(50 * time.Millisecond), Text: "app serves <x> on every router"}}
		doc := picture{Title: "ours & <them>", Subtitle: "1 deploy", Deploys: []trace{tr}}.svg()
		Expect(wellFormed(doc)).To(Equal("svg"))
		Expect(doc).To(ContainSubstring("a &lt;step&gt; &amp;"))
	})

	It("draws a failed request red, at least 2 px wide, even among thousands over a long time line", func() {
		pattern := strings.Repeat("o", 3000) + "x" + strings.Repeat("n", 3000)
		doc := picture{Title: "t", Deploys: []trace{traceOf(t0, pattern, 60*time.Second)}}.svg()
		red := pathsOf(doc, "f")
		Expect(red).To(HaveLen(1))
		Expect(red[0]).To(MatchRegexp(`^M[0-9.]+ [0-9.]+h2v14h-2z$`))
	})

	It("draws no red where nothing failed", func() {
		doc := picture{Title: "t", Deploys: []trace{traceOf(t0, "oooonnnn", time.Second)}}.svg()
		Expect(pathsOf(doc, "f")).To(BeEmpty())
		Expect(pathsOf(doc, "o")).NotTo(BeEmpty())
		Expect(pathsOf(doc, "n")).NotTo(BeEmpty())
	})

	It("keeps ten deploys of 2000 alternating answers small", func() {
		var traces []trace
		for range 10 {
			traces = append(traces, traceOf(t0, strings.Repeat("onoonnxo", 250), 20*time.Second))
		}
		doc := picture{Title: "t", Deploys: traces}.svg()
		Expect(len(doc)).To(BeNumerically("<", 300<<10))
		Expect(wellFormed(doc)).To(Equal("svg"))
	})

	It("colours a pixel column where both versions answered in two halves", func() {
		s := scale{lo: 0, hi: 100 * time.Millisecond, x0: 0, x1: 2} // 50 ms per column
		cols := requestColumns(traceOf(t0, "onoooooooo", 0), s)
		Expect(cols).To(Equal([]uint8{answeredOld | answeredNew, answeredOld}))
	})

	It("keeps a hung request's column span to the next request's sending", func() {
		s := scale{lo: 0, hi: 100 * time.Millisecond, x0: 0, x1: 10} // 10 ms per column
		tr := trace{Start: t0, New: "v2", Samples: []sample{
			{At: t0, Took: 35 * time.Millisecond, Failed: true},
			{At: t0.Add(40 * time.Millisecond), Took: time.Millisecond, Version: "v2"},
		}}
		Expect(requestColumns(tr, s)[:5]).To(Equal([]uint8{answerFailed, answerFailed, answerFailed, answerFailed, answeredNew}))
	})

	It("merges adjacent equal columns and skips empty ones", func() {
		Expect(spans([]uint8{1, 1, 0, 2, 2, 2, 1})).To(Equal([]span{{0, 2, 1}, {3, 6, 2}, {6, 7, 1}}))
	})

	It("names in the legend only the steps wide enough to see", func() {
		tr := traceOf(t0, "oonn", 10*time.Second)
		tr.Steps = append(tr.Steps, step{Name: "check quota", From: t0, To: t0.Add(time.Millisecond)})
		doc := picture{Title: "t", Deploys: []trace{tr}}.svg()
		Expect(doc).To(ContainSubstring(">stage</text>"))
		Expect(doc).NotTo(ContainSubstring(">check quota</text>"))
	})
})

var _ = Describe("out's timeline", func() {
	start := time.Unix(4000, 0)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }

	It("gives each step its begin and end, notes on every router as proofs", func() {
		lines := []line{
			{At: at(2), Text: "  target cfsim-org/cfsim-space: live app a (guid), 2 instances"},
			{At: at(254), Text: "\x1b[32m✓\x1b[0m apply manifest                  252ms"},
			{At: at(1030), Text: "\x1b[32m✓\x1b[0m stage                           758ms"},
			{At: at(3100), Text: "  a-candidate serves a.apps.test on every router (208 probes, 2.1s)"},
			{At: at(3500), Text: "\x1b[31m✗ verify only the new version serves     2.5s  no router answered\x1b[0m"},
		}
		steps, proofs := timelineSteps(lines, start)
		Expect(steps).To(Equal([]step{
			{Name: "apply manifest", From: start, To: at(254)},
			{Name: "stage", From: at(272), To: at(1030)}, // 18 ms after the last step: not within the rounding
			{Name: "verify only the new version serves", From: at(1030), To: at(3500), Failed: true},
		}))
		Expect(proofs).To(Equal([]mark{{At: at(3100), Text: "a-candidate serves a.apps.test on every router (208 probes, 2.1s)"}}))
	})

	It("reads a baseline as one step, the tool's run", func() {
		tr := newTrace(observed{start: start, end: at(900)}, "v1", "v2")
		Expect(tr.Steps).To(Equal([]step{{Name: "the tool's run", From: start, To: at(900)}}))
	})
})
