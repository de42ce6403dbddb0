package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report renders the run as Markdown: settings, a section per kind of foundation, the large
// app, the targets, the definitions; the pictures go beside it.
type report struct {
	cfg       settings
	results   []foundationResult
	large     *largeResult
	took      time.Duration
	date      time.Time
	loadStart string
}

// write prints the report, writes it to the results path and the pictures beside it.
func (r report) write() error {
	if err := r.writePictures(filepath.Dir(r.cfg.Results)); err != nil {
		return err
	}
	text := r.markdown()
	fmt.Println()
	fmt.Print(text)
	if err := os.WriteFile(r.cfg.Results, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	fmt.Printf("\nwritten to %s and the pictures beside it\n", r.cfg.Results)
	return nil
}

func (r report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# make bench%s\n\n", map[bool]string{true: " --quick", false: ""}[r.cfg.Quick])
	fmt.Fprintf(&b, "- date: %s, took %s\n", r.date.UTC().Format("2006-01-02 15:04 UTC"), r.took.Round(time.Second))
	fmt.Fprintf(&b, "- machine: %s; load average %s at the start, %s at the end (other work on the machine slows every figure)\n",
		machine(), r.loadStart, loadAverage())
	b.WriteString(r.settingsText())
	b.WriteString(r.foundationsTable())
	for _, fr := range r.results {
		b.WriteString(fr.section())
	}
	if r.large != nil {
		b.WriteString(r.large.markdown())
	}
	b.WriteString(targetsText(targetsOf(r.results, r.large)))
	b.WriteString(definitions)
	return b.String()
}

func (r report) settingsText() string {
	return fmt.Sprintf("- settings: %d measured deploys per strategy (after an unmeasured first one); "+
		"cfsim foundations of the kinds below, one kind after the other (side by side they would share the machine's cores); "+
		"on each kind four foundations side by side, one each for ours rolling, ours canary and cf push --strategy rolling "+
		"(they mostly wait for the updater's tick), the other strategies taking turns on the fourth, every one doing its deploy i "+
		"in round i; every router behind a load balancer, its registration and removal lags drawn for every round from the "+
		"kind's range (the same draws for every strategy on the kind, seed %d); apps of %d instances of test/apps/versioned "+
		"with an HTTP health check; staging %s; load: one request at a time through the load balancer every %s, from 200 ms "+
		"before each deploy until every router has applied what it sent; ours: the built `out` with JSON on stdin, "+
		"`router_urls` set (each router probed directly), `drain: 0s`, `settle: 0s`, every other param at its default\n\n",
		r.cfg.Deploys, r.cfg.Seed, r.cfg.Instances, stagingTime, r.cfg.LoadEvery)
}

func (r report) foundationsTable() string {
	var b strings.Builder
	b.WriteString("| foundation | routers | router lags (registration and removal, each drawn per round) | deployment updater | strategies |\n")
	b.WriteString("|---|---:|---|---:|---|\n")
	for _, fr := range r.results {
		var names []string
		for _, row := range fr.Rows {
			names = append(names, row.Strategy.Name)
		}
		k := fr.Kind
		fmt.Fprintf(&b, "| %s | %d | %v–%v | %v | %s |\n", k.Title, k.Routers, k.LagMin, k.LagMax, k.Updater, strings.Join(names, ", "))
	}
	return b.String()
}

// section is one kind of foundation: its table, the figures set against the platform and
// the cf CLI, what the failed requests were, and the pictures.
func (fr foundationResult) section() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## %s: %s\n\n", fr.Kind.Title, fr.Kind.describe())
	b.WriteString("| strategy | requests | failed | longest failure window | mixed-version window (max) | deploy time median / p90 | verification lag median / max | CC calls per deploy | out peak RSS |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range fr.Rows {
		b.WriteString(row.line() + "\n")
	}
	if p, ok := blueGreenOf(fr.Rows); ok {
		fmt.Fprintf(&b, "\nBlue-green against the platform (medians over the deploys): ours took **%s**, **%.2f×** the verified floor "+
			"of %s, the least any verified blue-green can take on the same routers (new version proven on its temporary route, "+
			"then on the live route, then the old one proven gone: staging + start + 2 × slowest registration lag + slowest "+
			"removal lag). The platform's own time is staging %s + start %s + slowest router's lag %s = %s (ours: %.2f×).\n",
			ms(p.ours), p.overFloor(), ms(p.floor), ms(p.staging), ms(p.start), ms(p.lag), ms(p.platform), p.ratio())
	}
	if rs, ok := rollingOf(fr.Rows); ok {
		fmt.Fprintf(&b, "\nRolling against the cf CLI (medians): ours %s, `cf push --strategy rolling` %s: **%.2f×**.",
			secs(rs.ours), secs(rs.cli), rs.ratio())
		if rs.capi > 0 {
			fmt.Fprintf(&b, " Ours with `pace: capi` (CAPI's schedule, proven at the end only): %s, **%.2f×**.", secs(rs.capi), rs.capiRatio())
		}
		b.WriteString("\n")
	}
	b.WriteString(failures(fr.Rows))
	b.WriteString(fr.pictureLinks())
	return b.String()
}

func (row row) line() string {
	var longest, mixed time.Duration
	var rss int64
	for _, d := range row.Deploys {
		longest, mixed = max(longest, d.LongestFailure), max(mixed, d.Mixed)
		rss = max(rss, d.MaxRSSKB)
	}
	lag, mem := "—", "—"
	if row.Strategy.Ours {
		lag = ms(median(row.lags())) + " / " + ms(maxOf(row.lags()))
		mem = fmt.Sprintf("%.1f MB", float64(rss)/1024)
	}
	walls := row.walls()
	return fmt.Sprintf("| %s | %d | %d | %s | %s | %s / %s | %s | %d | %s |", row.Strategy.Name, row.sent(), row.failed(),
		ms(longest), ms(mixed), secs(median(walls)), secs(percentile(walls, 90)), lag, row.ccCalls(), mem)
}

// failures lists what the failed requests of each strategy were.
func failures(rows []row) string {
	var b strings.Builder
	for _, row := range rows {
		kinds := map[string]int{}
		for _, d := range row.Deploys {
			for k, n := range d.FailureKinds {
				kinds[k] += n
			}
		}
		if len(kinds) == 0 {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("\nFailed requests by answer: ")
		} else {
			b.WriteString("; ")
		}
		names := slices.Sorted(maps.Keys(kinds))
		slices.SortStableFunc(names, func(x, y string) int { return kinds[y] - kinds[x] })
		var parts []string
		for _, k := range names {
			parts = append(parts, fmt.Sprintf("%d × %s", kinds[k], k))
		}
		fmt.Fprintf(&b, "%s: %s", row.Strategy.Name, strings.Join(parts, ", "))
	}
	if b.Len() > 0 {
		b.WriteString(".\n")
	}
	return b.String()
}

func (l *largeResult) markdown() string {
	share := func(d largeDeploy) string {
		return fmt.Sprintf("%s (%.3f %%)", mbytes(d.Uploaded), 100*float64(d.Uploaded)/float64(l.Bytes))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Large app\n\nA folder of %s in %d files (test/apps/versioned and random, incompressible 10 MiB jars), "+
		"deployed blue-green by `out`, then deployed again with the same bits (only a var changed). `out` leaves out of the "+
		"upload the files CC's resource pool already holds: on the first deploy only the test app's binary, pushed by the "+
		"strategies before.\n\n", mbytes(l.Bytes), l.Files)
	b.WriteString("| deploy | uploaded | out peak RSS | deploy time |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| first | %s | %.1f MB | %s |\n", share(l.First), float64(l.First.MaxRSSKB)/1024, secs(l.First.Wall))
	fmt.Fprintf(&b, "| redeploy, same bits | %s | %.1f MB | %s |\n", share(l.Redeploy), float64(l.Redeploy.MaxRSSKB)/1024, secs(l.Redeploy.Wall))
	return b.String()
}

// targetsText is the ✓/✗ list; a missed target says so.
func targetsText(ts []target) string {
	var b strings.Builder
	b.WriteString("\n## Targets\n\n")
	for _, t := range ts {
		mark := "✗ missed"
		if t.Met {
			mark = "✓"
		}
		fmt.Fprintf(&b, "- %s %s\n", mark, t.Text)
	}
	return b.String()
}

const definitions = `
## How the figures are taken

- requests, failed: load requests during the deploys; a request fails when no app answered it within 10 s (a connection error, a timeout, or a gorouter error page such as 404 unknown_route or 502 endpoint_failure).
- longest failure window: the longest run of consecutive failed requests, from the first one's sending to the next success.
- mixed-version window: per deploy, from the first answer of the new version to the last answer of the old one; the longest.
- deploy time: the tool's wall time (for ours, the out process from start to exit).
- verification lag (ours): from the last router applying the registration of the new backend on the live route (cfsim's route events) to out printing that it proved it on every router (its stderr timeline, read as it is written). For rolling and canary it is measured at the end (from the later of the last registration of the new process and the last removal of an old one to out printing that only the new version serves) and at the pause (paced rolling's first instance, the canary's first step); out proves both as soon as the routers get there, before the Cloud Controller reports the pause or the end.
- CC calls: Cloud Controller requests per deploy (cfsim's request log, UAA token requests aside), median. The targets set them against the figures of ours before issue 17 (bluegreen 64, rolling 103, canary 147: the committed report of the 2026-12-03 run, on the default foundation) plus 20 %, on every foundation.
- verified floor (blue-green): per deploy, the build's staging time + the time from the start request until cfsim's route-emitter sent the last new instance's registration + 2 × the slowest router's registration lag + the slowest router's removal lag of that round, on that foundation's routers; the report sets the median deploy time against the median floor.
- rolling against the cf CLI: ours rolling's median deploy time over ` + "`cf push --strategy rolling`" + `'s on the same kind of foundation, in the same rounds.
- pictures: for each strategy and foundation, every load request of its measured deploys, a band per deploy, x the time since the deploy started (the load starts 200 ms before). Each pixel column is coloured by what answered the requests open in it: the old version, the new one, both (halves), or red when any of them failed, drawn at least 2 px wide so none is lost. Under the requests: out's steps (from its stderr timeline: a step's line is printed when it ends, with its duration) or a baseline's whole run, then a tick per pixel column with a Cloud Controller call; triangles mark out's lines saying it proved something on every router, a dashed line the end of the tool's run. Hovering over a step or a triangle shows its name or line.
- out peak RSS: the out process's VmHWM (peak resident set), read from /proc every 10 ms while it runs. Not getrusage's ru_maxrss: Go starts children with vfork, so the kernel reports the parent's (the bench's) size for them.
- baselines: the Cloud Controller call sequences of the cf CLI v8 commands each tool runs, made with go-cfclient, polling every 50 ms (faster than the CLI).
`

func ms(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return secs(d)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mbytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// machine describes where the run happened.
func machine() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s), %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model, runtime.Version())
}

// loadAverage is the machine's 1-minute load average: other work on it slows every figure.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(data))[0]
}
