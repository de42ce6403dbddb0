package main

import "time"

// The figures a row's deploys add up to.

func (r row) sent() int {
	n := 0
	for _, d := range r.Deploys {
		n += d.Sent
	}
	return n
}

func (r row) failed() int {
	n := 0
	for _, d := range r.Deploys {
		n += d.Failed
	}
	return n
}

func (r row) lags() []time.Duration {
	var out []time.Duration
	for _, d := range r.Deploys {
		out = append(out, d.Lags...)
	}
	return out
}

func (r row) walls() []time.Duration {
	var out []time.Duration
	for _, d := range r.Deploys {
		out = append(out, d.Wall)
	}
	return out
}

// ccCalls is the median of the CC calls per deploy.
func (r row) ccCalls() int {
	var calls []time.Duration // counts, sorted like durations
	for _, d := range r.Deploys {
		calls = append(calls, time.Duration(d.CCCalls))
	}
	return int(median(calls))
}

// platformSummary is blue-green's deploy time next to the platform's own time and to the
// verified floor, medians over the deploys.
type platformSummary struct {
	staging, start, lag, platform, ours, floor time.Duration
}

func (p platformSummary) ratio() float64 { return p.ours.Seconds() / p.platform.Seconds() }

// overFloor is ours' median deploy time over the median verified floor on the same routers.
func (p platformSummary) overFloor() float64 { return p.ours.Seconds() / p.floor.Seconds() }

// blueGreenOf finds ours blue-green among rows and sums up its deploys; false when it did not
// run or no deploy could be set against the platform.
func blueGreenOf(rows []row) (platformSummary, bool) {
	for _, row := range rows {
		if !row.Strategy.Ours || row.Strategy.Kind != "bluegreen" {
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

// rollingSummary is ours rolling's median deploy time (paced, and with pace capi when it ran)
// next to the cf CLI's rolling push's on the same foundation.
type rollingSummary struct{ ours, capi, cli time.Duration }

func (r rollingSummary) ratio() float64 { return r.ours.Seconds() / r.cli.Seconds() }

func (r rollingSummary) capiRatio() float64 { return r.capi.Seconds() / r.cli.Seconds() }

// rollingOf finds both rolling rows; false unless both ran.
func rollingOf(rows []row) (rollingSummary, bool) {
	var r rollingSummary
	for _, row := range rows {
		switch {
		case row.Strategy.Ours && row.Strategy.Kind == "rolling":
			r.ours = median(row.walls())
		case row.Strategy.Ours && row.Strategy.Kind == kindRollingCAPI:
			r.capi = median(row.walls())
		case row.Strategy.App == cliRollingApp:
			r.cli = median(row.walls())
		}
	}
	return r, r.ours > 0 && r.cli > 0
}
