package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/router"
)

// lastRegistration is when the last router applied the last registration of a matching
// endpoint on uri, among those applied by confirmed (what out could have confirmed).
func lastRegistration(events []router.Event, uri string, match func(router.Endpoint) bool, confirmed time.Time) time.Time {
	var last time.Time
	for _, e := range events {
		if e.Message.Register && e.Message.URI == uri && match(e.Message.Endpoint) && !e.Applied.After(confirmed) && e.Applied.After(last) {
			last = e.Applied
		}
	}
	return last
}

// blueGreenLag is, for the live route, the time from the last router registering the new
// app to out printing that it serves the route on every router.
func blueGreenLag(out *outRun, events []router.Event, uri string) ([]time.Duration, error) {
	app := out.Version["app_guid"]
	confirmed := out.firstLine("serves " + uri + " on every router")
	if confirmed.IsZero() {
		return nil, fmt.Errorf("out never said the new app serves %s", uri)
	}
	last := lastRegistration(events, uri, func(e router.Endpoint) bool { return e.AppGUID == app }, confirmed)
	if last.IsZero() {
		return nil, fmt.Errorf("no router registered app %s on %s before out confirmed it", app, uri)
	}
	return []time.Duration{confirmed.Sub(last)}, nil
}

// deploymentLags are the same for CAPI deployments, once per verification: the end, and the
// pause when it paused (the canary's first step, or the one instance a paced rolling deploy
// proves). out
// starts proving as soon as the new process exists, before the Cloud Controller reports the
// pause or the end, so each lag runs from the moment the routers reached the proven state.
func (l *lane) deploymentLags(out *outRun, events []router.Event, uri string, paused bool) ([]time.Duration, error) {
	dep, ok := l.deployment(out.Metadata["deployment_guid"])
	if !ok {
		return nil, fmt.Errorf("deployment %q not found", out.Metadata["deployment_guid"])
	}
	proc := dep.NewProcesses[len(dep.NewProcesses)-1]
	isNew := func(e router.Endpoint) bool { return e.ProcessGUID == proc }
	// The end is proven when the new process serves and no old one does: the routers reach
	// that state with the later of the last registration of the new process and the last
	// removal of an old one.
	checks := []struct {
		confirm  string
		removals bool
	}{{"only the new version serves " + uri + " on every router", true}}
	if paused {
		checks = append(checks, struct {
			confirm  string
			removals bool
		}{"serve " + uri + " on every router", false})
	}
	var lags []time.Duration
	for _, c := range checks {
		confirmed := out.firstLine(c.confirm)
		last := lastRegistration(events, uri, isNew, confirmed)
		if confirmed.IsZero() || last.IsZero() {
			return nil, fmt.Errorf("deployment %s: out never said %q after a registration", dep.GUID, c.confirm)
		}
		if c.removals {
			last = maxTime(last, lastRemoval(events, uri, func(e router.Endpoint) bool { return !isNew(e) }, confirmed))
		}
		lags = append(lags, confirmed.Sub(last))
	}
	return lags, nil
}

// lastRemoval is when the last router applied the last removal of a matching endpoint on
// uri, among those applied by confirmed.
func lastRemoval(events []router.Event, uri string, match func(router.Endpoint) bool, confirmed time.Time) time.Time {
	var last time.Time
	for _, e := range events {
		if !e.Message.Register && e.Message.URI == uri && match(e.Message.Endpoint) && !e.Applied.After(confirmed) && e.Applied.After(last) {
			last = e.Applied
		}
	}
	return last
}

func (l *lane) deployment(guid string) (cfsim.DeploymentTiming, bool) {
	for _, d := range l.f.sim.DeploymentTimings() {
		if d.GUID == guid {
			return d, len(d.NewProcesses) > 0
		}
	}
	return cfsim.DeploymentTiming{}, false
}

// platformTime is what the platform itself needs to put a new version up: staging, start
// (until the instances are routable), and the slowest router's registration lag.
type platformTime struct {
	Staging, Start, SlowestLag time.Duration
	SlowestRemoval             time.Duration
}

func (p platformTime) total() time.Duration { return p.Staging + p.Start + p.SlowestLag }

// verifiedFloor is the least a verified blue-green can take on these routers: the new app
// proven on its temporary route, then on the live route, then the old one proven gone.
func (p platformTime) verifiedFloor() time.Duration {
	return p.Staging + p.Start + 2*p.SlowestLag + p.SlowestRemoval
}

func (l *lane) platformTime(app string, o observed) (platformTime, error) {
	var p platformTime
	p.SlowestLag, p.SlowestRemoval = slowest(o.lags)
	for _, t := range l.f.sim.BuildTimings() {
		if t.AppGUID == app && !t.Finished.IsZero() {
			p.Staging = t.Finished.Sub(t.Created)
		}
	}
	var started, routable time.Time
	for _, r := range o.requests {
		if r.Method == http.MethodPost && r.Path == "/v3/apps/"+app+"/actions/start" {
			started = r.Time
		}
	}
	first := map[string]time.Time{} // endpoint -> when the emitter first sent it
	for _, e := range o.events {
		ep := e.Message.Endpoint
		if e.Message.Register && ep.AppGUID == app {
			if t, ok := first[ep.Address]; !ok || e.Sent.Before(t) {
				first[ep.Address] = e.Sent
			}
		}
	}
	for _, t := range first {
		routable = maxTime(routable, t)
	}
	if p.Staging == 0 || started.IsZero() || routable.IsZero() {
		return p, fmt.Errorf("app %s: staging, start or routing not seen", app)
	}
	p.Start = routable.Sub(started)
	return p, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
