package maintenance

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

// switchOff moves the recorded routes back to the app (started first if it was stopped), then
// removes the responder once it serves nothing. From any state: a switch stopped halfway, or a
// responder deleted by hand, still ends with every recorded route on the app.
func (s *switcher) switchOff(ctx context.Context) error {
	if s.j.state == Off {
		s.Log.Note("%s is not in maintenance: nothing to do", s.o.App)
		s.Res.Maintenance = Off
		return nil
	}
	if s.j.responder != "" {
		s.o.Responder = s.j.responder // the one the routes went to, whatever this put names
	}
	steps := []bluegreen.Step{
		{Name: "record the switch back", Do: func(ctx context.Context) error {
			return s.write(ctx, journal{state: SwitchingOff, routes: s.j.routes, responder: s.o.Responder})
		}},
		{Name: "find responder " + s.o.Responder, Do: s.findResponder},
	}
	if !s.Live.Started() {
		steps = append(steps, bluegreen.Step{Name: "start " + s.o.App, Do: func(ctx context.Context) error { return s.StartAll(ctx, s.Live) }})
	}
	steps = append(steps,
		bluegreen.Step{Name: "move routes back to " + s.o.App, Do: func(ctx context.Context) error { return s.move(ctx, s.Live, s.responder) }},
		bluegreen.Step{Name: "retire responder " + s.o.Responder, Do: s.retireResponder},
		bluegreen.Step{Name: "mark " + s.o.App + " out of maintenance", Do: func(ctx context.Context) error {
			return s.write(ctx, journal{state: Off})
		}})
	if err := s.Steps(ctx, steps); err != nil {
		return err
	}
	s.Res.Maintenance = Off
	return nil
}

func (s *switcher) findResponder(ctx context.Context) error {
	var err error
	s.responder, err = s.CC.AppByName(ctx, s.Space.GUID, s.o.Responder)
	if err == nil && s.responder == nil {
		s.Log.Note("responder %s is gone: the routes go back to %s all the same", s.o.Responder, s.o.App)
	}
	return err
}

// retireResponder deletes the responder once no route is left on it (a shared one may still
// serve other apps).
func (s *switcher) retireResponder(ctx context.Context) error {
	if s.responder == nil {
		return nil
	}
	if still, err := s.CC.App(ctx, s.responder.GUID); err != nil || still == nil {
		return err // deleted meanwhile: nothing to retire
	}
	left, err := s.CC.AppRoutes(ctx, s.responder.GUID)
	if err != nil || len(left) > 0 {
		return err
	}
	return s.CC.DeleteApp(ctx, s.responder.GUID)
}
