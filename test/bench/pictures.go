package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// pictureFile is where a strategy's picture on a kind of foundation goes, beside the report.
func pictureFile(k foundationKind, s strategy) string {
	return k.Name + "-" + s.App + ".svg"
}

// writePictures writes one SVG per strategy and kind of foundation into dir.
func (r report) writePictures(dir string) error {
	for _, fr := range r.results {
		for _, row := range fr.Rows {
			path := filepath.Join(dir, pictureFile(fr.Kind, row.Strategy))
			if err := os.WriteFile(path, []byte(fr.picture(row).svg()), 0o644); err != nil {
				return fmt.Errorf("write a picture: %w", err)
			}
		}
	}
	return nil
}

// picture is row's deploys on this foundation, titled with both.
func (fr foundationResult) picture(row row) picture {
	p := picture{Title: fmt.Sprintf("%s on the %s foundation (%s)", row.Strategy.Name, fr.Kind.Title, fr.Kind.describe())}
	for _, d := range row.Deploys {
		p.Deploys = append(p.Deploys, d.Trace)
	}
	p.Subtitle = fmt.Sprintf("%d measured deploys, %d requests, %d failed; x: time since the deploy started (the load starts 200 ms before it); one band per deploy",
		len(row.Deploys), row.sent(), row.failed())
	return p
}

// pictureLinks lists the foundation's pictures for the report, a caption each.
func (fr foundationResult) pictureLinks() string {
	var b strings.Builder
	b.WriteString("\nPictures (every load request on a time line, a band per deploy, coloured by the version that answered, red where it failed):\n\n")
	for _, row := range fr.Rows {
		what := "the tool's run and its CC calls"
		if row.Strategy.Ours {
			what = "out's steps, its proofs on every router and its CC calls"
		}
		fmt.Fprintf(&b, "- [%s](%s): %d deploys, %d requests, %d failed; marked: %s\n",
			row.Strategy.Name, pictureFile(fr.Kind, row.Strategy), len(row.Deploys), row.sent(), row.failed(), what)
	}
	return b.String()
}
