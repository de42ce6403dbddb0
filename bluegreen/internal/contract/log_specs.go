package contract

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func logSpecs(x *fixture) {
	Describe("recent logs", func() {
		It("has no lines, and no error, for an app that never ran or no longer exists", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, nil, nil)
			lines, err := p.RecentLogs(ctx, a.GUID, 100)
			Expect(err).NotTo(HaveOccurred())
			Expect(lines).To(BeEmpty())
			Expect(p.DeleteApp(ctx, a.GUID)).To(Succeed())
			lines, err = p.RecentLogs(ctx, a.GUID, 100)
			Expect(err).NotTo(HaveOccurred())
			Expect(lines).To(BeEmpty())
		})

		It("returns the app's output oldest first, by source, instance and stream, the newest limit of them", func() {
			ctx, p := *x.ctx, x.port()
			a := x.pushed("shop", 1, nil, map[string]string{"VERSION": "v7"})
			x.started(a, 1)
			Expect(p.Stop(ctx, a.GUID)).To(Succeed())
			if x.f.AppLogs != nil {
				x.f.AppLogs(a.GUID, wrote("versioned: version=v7 listening on 127.0.0.1:61000", "versioned: stopping"))
			}
			Expect(eventually(ctx, x.f.Patience, func() error {
				lines, err := p.RecentLogs(ctx, a.GUID, 1000)
				if err != nil {
					return err
				}
				return startedThenStopped(lines)
			})).To(Succeed())
			Expect(eventually(ctx, x.f.Patience, func() error {
				two, err := p.RecentLogs(ctx, a.GUID, 2)
				if err != nil {
					return err
				}
				all, err := p.RecentLogs(ctx, a.GUID, 1000)
				if err != nil || len(all) < 2 {
					return fmt.Errorf("%d lines, %v", len(all), err)
				}
				if want := all[len(all)-2:]; fmt.Sprint(two) != fmt.Sprint(want) {
					return fmt.Errorf("limit 2 gave %v, not the newest two %v", two, want)
				}
				return nil
			})).To(Succeed())
		})
	})
}

// wrote is what the suite's app writes to stdout from its first instance, a millisecond apart.
func wrote(messages ...string) []platform.LogLine {
	start := time.Now()
	var out []platform.LogLine
	for i, m := range messages {
		out = append(out, platform.LogLine{Time: start.Add(time.Duration(i) * time.Millisecond), Source: "APP/PROC/WEB",
			Index: "0", Message: m})
	}
	return out
}

// startedThenStopped is nil when the lines are in time order and hold the web instance's
// "listening" line on stdout before its "stopping" line.
func startedThenStopped(lines []platform.LogLine) error {
	listening, stopping := -1, -1
	for i, l := range lines {
		if i > 0 && l.Time.Before(lines[i-1].Time) {
			return fmt.Errorf("line %d is older than line %d: %v", i, i-1, lines)
		}
		if l.Source != "APP/PROC/WEB" || l.Index != "0" || l.Stderr {
			continue
		}
		switch {
		case strings.Contains(l.Message, "version=v7 listening on") && listening < 0:
			listening = i
		case strings.Contains(l.Message, "stopping"):
			stopping = i
		}
	}
	if listening < 0 || stopping < listening {
		return fmt.Errorf("no stdout line of web instance 0 saying it listened, then one saying it stopped: %v", lines)
	}
	return nil
}
