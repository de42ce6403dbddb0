package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// stepKey colours the steps drawn in a picture, in the order their names first appear.
type stepKey struct {
	names   []string
	colours map[string]string
}

// stepPalette avoids the answers' blue, green and red, so a step is never read as an answer.
func stepPalette() []string {
	return []string{"#f2c14e", "#a77dc2", "#7fc8c0", "#f28e2b", "#9c755f", "#d4a6c8",
		"#bab0ac", "#e9e36c", "#5fa2a8", "#c9a77c"}
}

// stepColours gives every step name drawn in the picture a colour. Steps too short to be
// drawn get none: the legend would name what no one can see.
func stepColours(traces []trace, s scale) stepKey {
	k, palette := stepKey{colours: map[string]string{}}, stepPalette()
	for _, t := range traces {
		for _, st := range t.Steps {
			wide := s.x(st.To.Sub(t.Start))-s.x(st.From.Sub(t.Start)) >= minStepWidth
			if _, ok := k.colours[st.Name]; !ok && (wide || st.Failed) {
				k.colours[st.Name] = palette[len(k.names)%len(palette)]
				k.names = append(k.names, st.Name)
			}
		}
	}
	return k
}

func (k stepKey) colour(name string) string {
	if c, ok := k.colours[name]; ok {
		return c
	}
	return "#ddd"
}

// flow lays legend items out left to right, wrapping to a new row at the picture's edge.
type flow struct {
	b    *strings.Builder
	x, y float64
}

// item draws a swatch with draw at (x, y-9), 12 px wide, and its label after it.
func (f *flow) item(label string, draw func(x, y float64)) {
	w := 12 + 5 + 6.2*float64(utf8.RuneCountInString(label)) + 16
	if f.x+w > svgWidth-10 && f.x > 10 {
		f.x, f.y = 10, f.y+legendRow
	}
	draw(f.x, f.y-9)
	fmt.Fprintf(f.b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", f.x+17, f.y, esc(label))
	f.x += w
}

// legend explains the colours and marks (out's proofs only where there are some), then names
// the steps; it returns the y below it.
func legend(b *strings.Builder, y float64, steps stepKey, proofs bool) float64 {
	f := &flow{b: b, x: 10, y: y + 12}
	box := func(class string) func(x, y float64) {
		return func(x, y float64) { rect(b, class, x, y, 12, 10) }
	}
	f.item("old version answered", box("o"))
	f.item("new version answered", box("n"))
	f.item("both, within one pixel", func(x, y float64) { rect(b, "o", x, y, 12, 5); rect(b, "n", x, y+5, 12, 5) })
	f.item("failed: no app answered", box("f"))
	f.item("no request open", box("bg"))
	if proofs {
		f.item("out proved it on every router", func(x, y float64) {
			fmt.Fprintf(b, `<path class="p" d="M%.1f %.1fl-3.5 -6h7z"/>`+"\n", x+6, y+8)
		})
	}
	f.item("the tool's run ended", func(x, y float64) {
		fmt.Fprintf(b, `<line class="e" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`+"\n", x+6, y, x+6, y+10)
	})
	f.item("Cloud Controller call", func(x, y float64) { rect(b, "c", x+4, y+6, 2, 4) })
	f.x, f.y = 10, f.y+legendRow
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f">steps (the strip under each band):</text>`+"\n", f.x, f.y)
	f.x += 200
	for _, name := range steps.names {
		c := steps.colour(name)
		f.item(name, func(x, y float64) {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="12" height="10" fill="%s"/>`+"\n", x, y, c)
		})
	}
	return f.y + 6
}
