package main

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"time"
)

// picture is one strategy on one foundation: every load request of its measured deploys, a
// band per deploy, on a time line that starts with each deploy.
type picture struct {
	Title    string
	Subtitle string
	Deploys  []trace
}

// The picture's layout, in pixels.
const (
	svgWidth   = 1000
	plotLeft   = 150.0
	plotRight  = 985.0
	bandHeight = 42.0 // a deploy: proof marks, requests, steps, CC calls, and a gap
	reqTop     = 8.0  // the requests' strip within a band
	reqHeight  = 14.0
	stepTop    = 24.0
	stepHeight = 8.0
	callTop    = 33.0
	callHeight = 4.0
	legendRow  = 17.0
)

// The colours, as classes: the legend and the bands share them.
const svgStyle = `<style>
text{font-family:Helvetica,Arial,sans-serif;font-size:11px;fill:#222}
.t{font-size:15px;font-weight:bold}
.s{fill:#555}
.o{fill:#5b84c4}
.n{fill:#4caf50}
.f{fill:#e00000}
.bg{fill:#ececec}
.c{fill:#666}
.p{fill:#111}
.g{stroke:#d4d4d4;stroke-width:1}
.z{stroke:#888;stroke-width:1}
.e{stroke:#111;stroke-width:1;stroke-dasharray:3 2}
.sf{stroke:#e00000;stroke-width:1.5}
</style>
`

// svg renders the picture as a standalone SVG document.
func (p picture) svg() string {
	lo, hi := timeLine(p.Deploys)
	s := scale{lo: lo, hi: hi, x0: plotLeft, x1: plotRight}
	steps := stepColours(p.Deploys, s)
	var body strings.Builder
	y := header(&body, p)
	y = legend(&body, y, steps, slices.ContainsFunc(p.Deploys, func(t trace) bool { return len(t.Proofs) > 0 }))
	top := y + 6
	bottom := top + bandHeight*float64(len(p.Deploys))
	grid(&body, s, top, bottom)
	for i, t := range p.Deploys {
		band(&body, i, t, s, top+bandHeight*float64(i), steps)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f">`+"\n",
		svgWidth, bottom+24, svgWidth, bottom+24)
	b.WriteString(svgStyle)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%.0f" fill="#fff"/>`+"\n", svgWidth, bottom+24)
	b.WriteString(body.String())
	b.WriteString("</svg>\n")
	return b.String()
}

// header writes the title and subtitle and returns the y below them.
func header(b *strings.Builder, p picture) float64 {
	fmt.Fprintf(b, `<text class="t" x="10" y="22">%s</text>`+"\n", esc(p.Title))
	fmt.Fprintf(b, `<text class="s" x="10" y="40">%s</text>`+"\n", esc(p.Subtitle))
	return 52
}

// band draws deploy i: its label, then its requests, steps, CC calls and proofs.
func band(b *strings.Builder, i int, t trace, s scale, y float64, steps stepKey) {
	failed := countFailed(t.Samples)
	fmt.Fprintf(b, `<text x="%.0f" y="%.1f" text-anchor="end">deploy %d</text>`+"\n", plotLeft-8, y+reqTop+11, i+1)
	fmt.Fprintf(b, `<text class="s" x="%.0f" y="%.1f" text-anchor="end">%s, %d failed</text>`+"\n",
		plotLeft-8, y+stepTop+10, secs(t.End.Sub(t.Start)), failed)
	rect(b, "bg", plotLeft, y+reqTop, plotRight-plotLeft, reqHeight)
	requestStrip(b, t, s, y+reqTop, reqHeight)
	stepStrip(b, t, s, y+stepTop, stepHeight, steps)
	callStrip(b, t, s, y+callTop, callHeight)
	proofMarks(b, t, s, y+reqTop, stepTop+stepHeight-reqTop)
}

// grid draws a vertical line every tick of the time line, the deploys' start darker, and
// labels them under the bands.
func grid(b *strings.Builder, s scale, top, bottom float64) {
	step := tickStep(s.hi - s.lo)
	// The time line starts at or before 0 (the load starts before the deploy): ticks from 0.
	for t := time.Duration(0); t <= s.hi; t += step {
		class := "g"
		if t == 0 {
			class = "z"
		}
		x := s.x(t)
		fmt.Fprintf(b, `<line class="%s" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`+"\n", class, x, top, x, bottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, bottom+14, tickLabel(t))
	}
}

// tickStep is the round interval that puts at most 15 ticks on a time line of length d.
func tickStep(d time.Duration) time.Duration {
	for _, s := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 5 * time.Second,
		10 * time.Second, 30 * time.Second, time.Minute} {
		if d/s <= 15 {
			return s
		}
	}
	return 5 * time.Minute
}

func tickLabel(t time.Duration) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", t.Seconds()), ".0") + " s"
}

// esc makes s safe as XML text or attribute content.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}
