package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// deployStats is what one measured deploy showed.
type deployStats struct {
	Wall           time.Duration
	Sent, Failed   int
	FailureKinds   map[string]int // failed requests by status and reason
	LongestFailure time.Duration
	Mixed          time.Duration
	CCCalls        int
	Lags           []time.Duration // verification lags (ours)
	Platform       *platformTime   // ours, bluegreen
	MaxRSSKB       int64           // ours
	Trace          trace           // for the pictures
}

// observed is everything recorded around one deploy.
type observed struct {
	start, end time.Time
	samples    []sample
	requests   []cfsim.Request
	events     []router.Event // route events applied since the deploy started
	lags       []routerLag
	res        deployed
}

// measureDeploy deploys version (after prev) under load and measures it. The load starts
// before the deploy and runs on after it returns until every router has applied whatever
// the deploy sent (the slowest lag), so failures a tool leaves behind it are counted too.
func (l *lane) measureDeploy(ctx context.Context, s strategy, i int, prev, version string) (deployStats, error) {
	lags := l.lags[i]
	host := s.Host + "." + l.f.info.Domain
	if err := waitServing(ctx, l.b.http, l.f.info.RouterURLs, host, prev); err != nil {
		return deployStats{}, err
	}
	l.f.sim.ResetRequests()
	firstEvent := len(l.f.sim.RouteEvents())
	ld := startLoad(ctx, l.b.users, l.f.info.LBURL, host, l.b.cfg.LoadEvery)
	if err := pause(ctx, 200*time.Millisecond); err != nil {
		ld.stop()
		return deployStats{}, err
	}
	o := observed{start: time.Now(), lags: lags}
	res, err := s.deploy(ctx, version)
	o.end, o.res = time.Now(), res
	reg, rem := slowest(lags)
	perr := pause(ctx, max(reg, rem)+200*time.Millisecond)
	o.samples = ld.stop()
	if err != nil {
		return deployStats{}, fmt.Errorf("%s deploy %d: %w", s.Name, i+1, err)
	}
	if perr != nil {
		return deployStats{}, perr
	}
	o.requests = l.f.sim.Requests()
	o.events = l.f.sim.RouteEvents()[firstEvent:]
	return l.analyse(s, o, prev, version)
}

func (l *lane) analyse(s strategy, o observed, prev, version string) (deployStats, error) {
	st := deployStats{Wall: o.end.Sub(o.start), Sent: len(o.samples), Failed: countFailed(o.samples),
		LongestFailure: longestWindow(failureWindows(o.samples)), Mixed: mixedWindow(o.samples, prev, version),
		CCCalls: len(ccRequests(o.requests)), FailureKinds: failureKinds(o.samples), Trace: newTrace(o, prev, version)}
	if !s.Ours {
		return st, nil
	}
	out := o.res.Out
	if l.b.cfg.Verbose {
		fmt.Printf("-- %s, router lags %v --\n%s", s.Name, o.lags, joinLines(out.Lines))
	}
	st.Wall, st.MaxRSSKB = out.Wall, out.MaxRSSKB
	uri := strings.ToLower(s.Host + "." + l.f.info.Domain)
	var err error
	switch s.Kind {
	case "bluegreen":
		st.Lags, err = blueGreenLag(out, o.events, uri)
		if err == nil {
			var p platformTime
			p, err = l.platformTime(out.Version["app_guid"], o)
			st.Platform = &p
		}
	default:
		st.Lags, err = l.deploymentLags(out, o.events, uri, s.Kind != kindRollingCAPI)
	}
	return st, err
}
