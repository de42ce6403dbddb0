package maintenance

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

// switchOn records the routes to move, brings up the responder, moves the routes to it, and
// marks the app in maintenance. From any state: a switch stopped halfway either way moves the
// routes it recorded; one that is already on changes nothing.
func (s *switcher) switchOn(ctx context.Context) error {
	if s.j.state == On {
		done, err := s.converged(ctx)
		if err != nil || done {
			s.Log.Note("%s is already in maintenance: nothing to do", s.o.App)
			s.Res.Maintenance = On
			return err
		}
	}
	steps := []bluegreen.Step{
		{Name: "record the routes to move", Do: s.recordOn},
		{Name: "responder " + s.o.Responder, Do: s.ensureResponder},
		{Name: "move routes to " + s.o.Responder, Do: func(ctx context.Context) error { return s.move(ctx, s.responder, s.Live) }},
	}
	if s.o.StopApp {
		steps = append(steps, bluegreen.Step{Name: "stop " + s.o.App, Do: func(ctx context.Context) error { return s.CC.Stop(ctx, s.Live.GUID) }})
	}
	steps = append(steps, bluegreen.Step{Name: "mark " + s.o.App + " in maintenance", Do: func(ctx context.Context) error {
		return s.write(ctx, journal{state: On, routes: s.j.routes, responder: s.o.Responder})
	}})
	if err := s.Steps(ctx, steps); err != nil {
		return err
	}
	s.Res.Maintenance = On
	return nil
}

// recordOn writes the routes to move before the first one moves: the app's routes when it is
// not in maintenance yet, else the ones an earlier switch recorded (the app may hold none of
// them any more).
func (s *switcher) recordOn(ctx context.Context) error {
	j := journal{state: SwitchingOn, routes: s.j.routes, responder: s.o.Responder}
	if s.j.state == Off {
		routes, err := s.CC.AppRoutes(ctx, s.Live.GUID)
		if err != nil {
			return err
		}
		j.routes = guids(routes)
	}
	return s.write(ctx, j)
}

// converged reports whether every recorded route is on a running responder and off the app.
func (s *switcher) converged(ctx context.Context) (bool, error) {
	responder, err := s.CC.AppByName(ctx, s.Space.GUID, s.o.Responder)
	if err != nil || !responder.Started() {
		return false, err
	}
	routes, err := s.routes(ctx)
	if err != nil {
		return false, err
	}
	for _, r := range routes {
		_, onApp := r.Dests[s.Live.GUID]
		_, onResponder := r.Dests[responder.GUID]
		if onApp || !onResponder {
			return false, nil
		}
	}
	return true, nil
}
