package main

import (
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report renders the run as Markdown: settings, one table, the targets, the definitions.
type report struct {
	cfg       settings
	rows      []row
	large     *largeResult
	took      time.Duration
	date      time.Time
	loadStart string
}

func (r report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# make bench%s\n\n", map[bool]string{true: " --quick", false: ""}[r.cfg.Quick])
	fmt.Fprintf(&b, "- date: %s, took %s\n", r.date.UTC().Format("2006-01-02 15:04 UTC"), r.took.Round(time.Second))
	fmt.Fprintf(&b, "- machine: %s; load average %s at the start, %s at the end (other work on the machine slows every figure)\n",
		machine(), r.loadStart, loadAverage())
	fmt.Fprintf(&b, "- settings: %d measured deploys per strategy (after an unmeasured first one); cfsim with 3 routers behind a "+
		"load balancer, each router's registration and removal lag drawn for every round from %s to %s (the same draws for "+
		"every strategy, seed %d); four foundations side by side, one each for ours rolling, ours canary and cf push --strategy "+
		"rolling (they mostly wait for the updater's tick), the other strategies taking turns on the fourth, every one doing its "+
		"deploy i in round i; apps of %d instances of test/apps/versioned with an HTTP health check; staging %s; "+
		"deployment updater every %s (CC's default); load: one request at a time through the load balancer every %s, from "+
		"200 ms before each deploy until every router has applied what it sent; ours: the built `out` with JSON on stdin, "+
		"`router_urls` set (each router probed directly), `drain: 0s`, `settle: 0s`, every other param at its default\n\n",
		r.cfg.Deploys, r.cfg.LagMin, r.cfg.LagMax, r.cfg.Seed, r.cfg.Instances, stagingTime, deploymentInterval, r.cfg.LoadEvery)
	b.WriteString("| strategy | requests | failed | longest failure window | mixed-version window (max) | deploy time median / p90 | verification lag median / max | CC calls per deploy | out peak RSS |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range r.rows {
		b.WriteString(row.line() + "\n")
	}
	if p, ok := r.platform(); ok {
		fmt.Fprintf(&b, "\nBlue-green against the platform (medians over the deploys): the platform's own time is staging %s + start %s "+
			"+ slowest router's lag %s = **%s**; ours took **%s**, **%.2f×**. The least any verified blue-green can take on the "+
			"same routers (new version proven on its temporary route, then on the live route, then the old one proven gone: "+
			"staging + start + 2 × slowest registration lag + slowest removal lag) is %s.\n",
			ms(p.staging), ms(p.start), ms(p.lag), ms(p.platform), ms(p.ours), p.ratio(), ms(p.floor))
	}
	b.WriteString(r.failures())
	if r.large != nil {
		b.WriteString(r.large.markdown())
	}
	b.WriteString(r.targets())
	b.WriteString(definitions)
	return b.String()
}

func (row row) line() string {
	var sent, failed int
	var longest, mixed time.Duration
	var walls, lags []time.Duration
	var calls []time.Duration // counts, sorted like durations
	var rss int64
	for _, d := range row.Deploys {
		sent += d.Sent
		failed += d.Failed
		longest, mixed = max(longest, d.LongestFailure), max(mixed, d.Mixed)
		walls = append(walls, d.Wall)
		lags = append(lags, d.Lags...)
		calls = append(calls, time.Duration(d.CCCalls))
		rss = max(rss, d.MaxRSSKB)
	}
	lag, mem := "—", "—"
	if row.Strategy.Ours {
		lag = ms(median(lags)) + " / " + ms(maxOf(lags))
		mem = fmt.Sprintf("%.1f MB", float64(rss)/1024)
	}
	return fmt.Sprintf("| %s | %d | %d | %s | %s | %s / %s | %s | %d | %s |", row.Strategy.Name, sent, failed,
		ms(longest), ms(mixed), secs(median(walls)), secs(percentile(walls, 90)), lag, int(median(calls)), mem)
}

// platformSummary is blue-green's deploy time next to the platform's own.
type platformSummary struct {
	staging, start, lag, platform, ours, floor time.Duration
}

func (p platformSummary) ratio() float64 { return p.ours.Seconds() / p.platform.Seconds() }

func (r report) platform() (platformSummary, bool) {
	for _, row := range r.rows {
		if row.Strategy.Kind != "bluegreen" {
			continue
		}
		var st, sa, lg, pl, ou, fl []time.Duration
		for _, d := range row.Deploys {
			if d.Platform == nil {
				continue
			}
			st, sa, lg = append(st, d.Platform.Staging), append(sa, d.Platform.Start), append(lg, d.Platform.SlowestLag)
			pl, fl, ou = append(pl, d.Platform.total()), append(fl, d.Platform.verifiedFloor()), append(ou, d.Wall)
		}
		if len(pl) > 0 {
			return platformSummary{median(st), median(sa), median(lg), median(pl), median(ou), median(fl)}, true
		}
	}
	return platformSummary{}, false
}

// failures lists what the failed requests of each strategy were.
func (r report) failures() string {
	var b strings.Builder
	for _, row := range r.rows {
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
	fmt.Fprintf(&b, "\nLarge app: a folder of %s in %d files (test/apps/versioned and random, incompressible 10 MiB jars), "+
		"deployed blue-green by `out`, then deployed again with the same bits (only a var changed). `out` leaves out of the "+
		"upload the files CC's resource pool already holds: on the first deploy only the test app's binary, pushed by the "+
		"strategies before.\n\n", mbytes(l.Bytes), l.Files)
	b.WriteString("| deploy | uploaded | out peak RSS | deploy time |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| first | %s | %.1f MB | %s |\n", share(l.First), float64(l.First.MaxRSSKB)/1024, secs(l.First.Wall))
	fmt.Fprintf(&b, "| redeploy, same bits | %s | %.1f MB | %s |\n", share(l.Redeploy), float64(l.Redeploy.MaxRSSKB)/1024, secs(l.Redeploy.Wall))
	return b.String()
}

// targets checks the "done when" against this run, as measured.
func (r report) targets() string {
	var b strings.Builder
	b.WriteString("\nTargets:\n\n")
	check := func(ok bool, text string) {
		mark := "✗ missed"
		if ok {
			mark = "✓"
		}
		fmt.Fprintf(&b, "- %s %s\n", mark, text)
	}
	for _, row := range r.rows {
		if !row.Strategy.Ours {
			continue
		}
		failed := 0
		var lags []time.Duration
		for _, d := range row.Deploys {
			failed += d.Failed
			lags = append(lags, d.Lags...)
		}
		check(failed == 0, fmt.Sprintf("%s: %d failed requests (target 0)", row.Strategy.Name, failed))
		check(median(lags) < 200*time.Millisecond, fmt.Sprintf("%s: verification lag median %s (target under 200 ms)", row.Strategy.Name, ms(median(lags))))
	}
	if p, ok := r.platform(); ok {
		check(p.ratio() <= 1.2, fmt.Sprintf("blue-green deploy time %s is %.2f× the platform's own %s (target 1.2×)", ms(p.ours), p.ratio(), ms(p.platform)))
	}
	if l := r.large; l != nil {
		peak := max(l.First.MaxRSSKB, l.Redeploy.MaxRSSKB)
		check(peak < 64<<10, fmt.Sprintf("out's peak RSS deploying the %s app: %.1f MB (target under 64 MB)", mbytes(l.Bytes), float64(peak)/1024))
		frac := float64(l.Redeploy.Uploaded) / float64(l.Bytes)
		check(frac < 0.01, fmt.Sprintf("redeploy of the unchanged app uploaded %.3f %% of its bytes (target under 1 %%)", 100*frac))
	}
	return b.String()
}

const definitions = `
How the figures are taken:

- requests, failed: load requests during the deploys; a request fails when no app answered it within 10 s (a connection error, a timeout, or a gorouter error page such as 404 unknown_route or 502 endpoint_failure).
- longest failure window: the longest run of consecutive failed requests, from the first one's sending to the next success.
- mixed-version window: per deploy, from the first answer of the new version to the last answer of the old one; the longest.
- deploy time: the tool's wall time (for ours, the out process from start to exit).
- verification lag (ours): from the last router applying the registration of the new backend on the live route (cfsim's route events) to out printing that it proved it on every router (its stderr timeline, read as it is written). For rolling and canary it starts no earlier than the Cloud Controller reporting DEPLOYED (and PAUSED for the canary step), since out can only begin then.
- CC calls: Cloud Controller requests per deploy (cfsim's request log, UAA token requests aside), median.
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
