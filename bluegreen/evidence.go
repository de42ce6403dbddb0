package bluegreen

import (
	"context"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// What a failed version's evidence shows: the last lines of its staging and of its instances'
// output (and the cell's and CC's lines about their exits), each bounded, so a crash loop
// cannot flood the build log.
const (
	evidenceRead    = 1000 // lines read from Log Cache
	evidenceStaging = 15
	evidenceOutput  = 30
	evidenceWidth   = 300 // characters kept of one line
)

// PrintEvidence prints, before a failed version is removed or cancelled, the last lines it
// logged, oldest first, then where to look for more. The timeline's writer redacts secrets.
func (r *Run) PrintEvidence(ctx context.Context, app *platform.App, more string) {
	lines, err := r.CC.RecentLogs(ctx, app.GUID, evidenceRead)
	if err != nil {
		r.Log.Fail("reading what %s logged failed: %v", app.Name, err)
		return
	}
	staging := lastOf(lines, func(l platform.LogLine) bool { return l.Source == "STG" }, evidenceStaging)
	output := lastOf(lines, appOutput, evidenceOutput)
	if len(staging)+len(output) == 0 {
		r.Log.Fail("%s logged nothing Log Cache still holds", app.Name)
	}
	for _, part := range []struct {
		what  string
		lines []platform.LogLine
	}{{"staging", staging}, {"instances", output}} {
		if len(part.lines) == 0 {
			continue
		}
		r.Log.Fail("last %d lines of %s's %s (Log Cache):", len(part.lines), app.Name, part.what)
		for _, l := range part.lines {
			r.Log.Fail("  %s %s %s", l.Time.UTC().Format("15:04:05.000"), source(l), clip(l.Message))
		}
	}
	r.Log.Note("%s", more)
}

// appOutput is what an app's instances wrote, and what the cell and CC said of their exits.
func appOutput(l platform.LogLine) bool {
	return strings.HasPrefix(l.Source, "APP/PROC/") || l.Source == "CELL" || l.Source == "API"
}

func lastOf(lines []platform.LogLine, keep func(platform.LogLine) bool, n int) []platform.LogLine {
	var out []platform.LogLine
	for _, l := range lines {
		if keep(l) {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

func source(l platform.LogLine) string {
	s := "[" + l.Source
	if l.Index != "" {
		s += "/" + l.Index
	}
	if l.Stderr {
		return s + " ERR]"
	}
	return s + "]"
}

func clip(s string) string {
	s = strings.TrimRight(s, "\n")
	if len(s) > evidenceWidth {
		return s[:evidenceWidth] + "…"
	}
	return s
}
