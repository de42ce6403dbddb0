package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// scale maps a time since a deploy's start to an x position, and to one of the plot's pixel
// columns: the requests are drawn per column, so a picture's size does not grow with them.
type scale struct {
	lo, hi time.Duration // the time line's ends, since the deploys' starts
	x0, x1 float64       // the plot's left and right edges
}

func (s scale) x(d time.Duration) float64 {
	return s.x0 + float64(d-s.lo)/float64(s.hi-s.lo)*(s.x1-s.x0)
}

func (s scale) columns() int { return int(s.x1 - s.x0) }

// column is the pixel column holding d, clamped to the plot.
func (s scale) column(d time.Duration) int {
	c := int(float64(d-s.lo) / float64(s.hi-s.lo) * float64(s.columns()))
	return min(max(c, 0), s.columns()-1)
}

// timeLine is the span every deploy of the picture fits in: from the first request (the
// load starts before the deploy) to the last answer or the tool's end, whichever is later.
func timeLine(traces []trace) (lo, hi time.Duration) {
	for _, t := range traces {
		hi = max(hi, t.End.Sub(t.Start))
		if n := len(t.Samples); n > 0 {
			lo = min(lo, t.Samples[0].At.Sub(t.Start))
			hi = max(hi, t.Samples[n-1].At.Add(t.Samples[n-1].Took).Sub(t.Start))
		}
	}
	if hi <= lo {
		hi = lo + time.Second
	}
	return lo, hi
}

// What answered the requests of a pixel column, as bits: a column can hold several requests.
const (
	answeredOld uint8 = 1 << iota
	answeredNew
	answerFailed
)

// requestColumns says, per pixel column, what answered the requests that were open in it. A
// request is open from its sending to the next request's (the load sends one at a time), so
// the band has no holes while the load runs, and a request that hung spans its whole wait.
func requestColumns(t trace, s scale) []uint8 {
	cols := make([]uint8, s.columns())
	for i, smp := range t.Samples {
		from, to := smp.At.Sub(t.Start), smp.At.Add(smp.Took).Sub(t.Start)
		if i+1 < len(t.Samples) {
			to = max(to, t.Samples[i+1].At.Sub(t.Start))
		}
		bit := answeredOld
		switch {
		case smp.Failed:
			bit = answerFailed
		case smp.Version == t.New:
			bit = answeredNew
		}
		for c := s.column(from); c <= max(s.column(to-1), s.column(from)); c++ {
			cols[c] |= bit
		}
	}
	return cols
}

// callColumns marks the pixel columns in which the Cloud Controller got a call.
func callColumns(t trace, s scale) []uint8 {
	cols := make([]uint8, s.columns())
	for _, at := range t.CCCalls {
		cols[s.column(at.Sub(t.Start))] = 1
	}
	return cols
}

// span is a run of adjacent pixel columns with the same bits.
type span struct {
	from, to int // columns, to exclusive
	bits     uint8
}

// spans merges adjacent equal columns; empty columns make none.
func spans(cols []uint8) []span {
	var out []span
	for c, bits := range cols {
		if n := len(out); n > 0 && out[n-1].bits == bits && out[n-1].to == c {
			out[n-1].to++
			continue
		}
		if bits != 0 {
			out = append(out, span{from: c, to: c + 1, bits: bits})
		}
	}
	return out
}

// requestStrip draws one deploy's requests between y and y+h: old and new answers in their
// colours, both halves where both answered in one column, and failures over everything else,
// at least 2 px wide so that a single failed request is never lost in the picture.
func requestStrip(b *strings.Builder, t trace, s scale, y, h float64) {
	var sh shapes
	var failed []span
	for _, sp := range spans(requestColumns(t, s)) {
		x, w := s.x0+float64(sp.from), float64(sp.to-sp.from)
		switch {
		case sp.bits&answerFailed != 0:
			failed = append(failed, sp)
		case sp.bits == answeredOld|answeredNew:
			sh.rect("o", x, y, w, h/2)
			sh.rect("n", x, y+h/2, w, h/2)
		case sp.bits == answeredNew:
			sh.rect("n", x, y, w, h)
		default:
			sh.rect("o", x, y, w, h)
		}
	}
	for _, sp := range failed {
		sh.rect("f", s.x0+float64(sp.from), y, max(float64(sp.to-sp.from), 2), h)
	}
	sh.write(b)
}

// callStrip draws a tick in every column with a Cloud Controller call.
func callStrip(b *strings.Builder, t trace, s scale, y, h float64) {
	var sh shapes
	for _, sp := range spans(callColumns(t, s)) {
		sh.rect("c", s.x0+float64(sp.from), y, float64(sp.to-sp.from), h)
	}
	sh.write(b)
}

// shapes gathers rectangles into one path per class, drawn in the order the classes first
// came: a rect element per run of columns would make a picture of many deploys too large.
type shapes struct {
	classes []string
	paths   map[string]*strings.Builder
}

func (sh *shapes) rect(class string, x, y, w, h float64) {
	if sh.paths == nil {
		sh.paths = map[string]*strings.Builder{}
	}
	p, ok := sh.paths[class]
	if !ok {
		p = &strings.Builder{}
		sh.paths[class] = p
		sh.classes = append(sh.classes, class)
	}
	fmt.Fprintf(p, "M%s %sh%sv%sh-%sz", num(x), num(y), num(w), num(h), num(w))
}

func (sh *shapes) write(b *strings.Builder) {
	for _, c := range sh.classes {
		fmt.Fprintf(b, `<path class="%s" d="%s"/>`+"\n", c, sh.paths[c].String())
	}
}

// num prints a coordinate to a tenth of a pixel, as short as it goes.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// stepStrip draws the tool's steps between y and y+h, each in its name's colour; a step too
// short to see is left out, a failed step is outlined red.
func stepStrip(b *strings.Builder, t trace, s scale, y, h float64, steps stepKey) {
	for _, st := range t.Steps {
		x0, x1 := s.x(st.From.Sub(t.Start)), s.x(st.To.Sub(t.Start))
		if x1-x0 < minStepWidth && !st.Failed {
			continue
		}
		class := ""
		if st.Failed {
			class, x1 = ` class="sf"`, max(x1, x0+2)
		}
		fmt.Fprintf(b, `<rect%s x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`+"\n",
			class, x0, y, x1-x0, h, steps.colour(st.Name), esc(st.Name), esc(ms(st.To.Sub(st.From))))
	}
}

// minStepWidth is the least width, in pixels, a step is drawn (and named in the legend) with.
const minStepWidth = 1.0

// proofMarks draws a small triangle above the requests where out said it proved something on
// every router, and a dashed line where the tool's run ended.
func proofMarks(b *strings.Builder, t trace, s scale, y, h float64) {
	for _, p := range t.Proofs {
		fmt.Fprintf(b, `<path class="p" d="M%.1f %.1fl-3.5 -6h7z"><title>%s</title></path>`+"\n",
			s.x(p.At.Sub(t.Start)), y, esc(p.Text))
	}
	x := s.x(t.End.Sub(t.Start))
	fmt.Fprintf(b, `<line class="e" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`+"\n", x, y-6, x, y+h)
}

func rect(b *strings.Builder, class string, x, y, w, h float64) {
	fmt.Fprintf(b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`+"\n", class, x, y, w, h)
}
