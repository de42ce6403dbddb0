// Package maintenance is the maintenance switch: an app's routes move to a responder that
// answers 503 with Retry-After (the maintenance/ app shipped in the image), and back, each move
// proven through the routers: the responder is mapped and proven before the app is unmapped and
// proven gone (and the reverse), so every request gets an answer from one or the other.
//
// The switch is journaled on the app (journal.go) and every step is idempotent: a switch that
// failed, was aborted or killed halfway is finished by running it again, either way.
package maintenance

import (
	"context"
	"fmt"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// switcher carries one maintenance switch.
type switcher struct {
	*bluegreen.Run
	o         Options
	j         journal
	responder *platform.App
}

// Switch moves o.App's routes to the responder (on) or back (off). Switching to the state the
// app is already in changes nothing. An abort (ctx canceled) stops at the next step; the error
// wraps bluegreen.ErrAborted and says where every route is.
func Switch(ctx context.Context, p bluegreen.Platform, pr bluegreen.Prober, o Options, log *bluegreen.Timeline) (bluegreen.Result, error) {
	s := &switcher{Run: bluegreen.NewRun(ctx, bluegreen.Settle(p), pr, o.Target, o.Timeouts, log), o: o}
	ctx, cancel := context.WithTimeout(ctx, o.Timeouts.Overall)
	defer cancel()
	if err := s.Resolve(ctx); err != nil {
		return s.Res, s.Outcome(err)
	}
	if s.Live == nil {
		return s.Res, fmt.Errorf("app %s does not exist in %s/%s", o.App, o.Org, o.Space)
	}
	s.j = readJournal(s.Live)
	var err error
	if o.On {
		err = s.switchOn(ctx)
	} else {
		err = s.switchOff(ctx)
	}
	if err != nil {
		s.describeLeft(ctx)
		return s.Res, s.Outcome(err)
	}
	s.Res.AppName, s.Res.AppGUID = s.Live.Name, s.Live.GUID
	s.Res.RevisionGUID, err = s.CC.DeployedRevision(ctx, s.Live.GUID)
	return s.Res, s.Outcome(err)
}

// describeLeft says, after a failure or an abort, where each route the switch moves is.
func (s *switcher) describeLeft(ctx context.Context) {
	ctx, cancel := bluegreen.Uninterrupted(ctx)
	defer cancel()
	routes, err := s.routes(ctx)
	if err != nil || len(routes) == 0 {
		s.Leave("%s is %s; running the switch again finishes it", s.o.App, s.j.state)
		return
	}
	var onApp, onResponder []string
	for _, r := range routes {
		if _, ok := r.Dests[s.Live.GUID]; ok {
			onApp = append(onApp, r.URL)
		}
		if s.responder != nil {
			if _, ok := r.Dests[s.responder.GUID]; ok {
				onResponder = append(onResponder, r.URL)
			}
		}
	}
	s.Leave("%s is %s: routes served by the app %v, by the responder %v; every route keeps an app mapped, "+
		"and running the switch again (on or off) finishes it", s.o.App, s.j.state, onApp, onResponder)
	s.Log.Fail("maintenance %s stopped: routes on %s %v, on the responder %v; run it again to finish", s.j.state, s.o.App, onApp, onResponder)
}
