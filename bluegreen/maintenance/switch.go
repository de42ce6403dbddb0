// Package maintenance is the maintenance switch: an app's routes move to a responder that
// answers 503 with Retry-After (the maintenance/ app shipped in the image), and back, each move
// proven through the routers: the responder is mapped and proven before the app is unmapped and
// proven gone (and the reverse), so every request gets an answer from one or the other.
package maintenance

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// switcher carries one maintenance switch.
type switcher struct {
	*bluegreen.Run
	o Options
}

// Switch moves o.App's routes to the responder (on) or back (off). Switching to the state the
// app is already in changes nothing.
func Switch(ctx context.Context, p bluegreen.Platform, pr bluegreen.Prober, o Options, log *bluegreen.Timeline) (bluegreen.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeouts.Overall)
	defer cancel()
	s := &switcher{Run: bluegreen.NewRun(ctx, p, pr, o.Target, o.Timeouts, log), o: o}
	if err := s.Resolve(ctx); err != nil {
		return s.Res, err
	}
	if s.Live == nil {
		return s.Res, fmt.Errorf("app %s does not exist in %s/%s", o.App, o.Org, o.Space)
	}
	var err error
	if o.On {
		err = s.on(ctx)
	} else {
		err = s.off(ctx)
	}
	s.Res.AppName, s.Res.AppGUID = s.Live.Name, s.Live.GUID
	if err == nil {
		s.Res.RevisionGUID, err = p.DeployedRevision(ctx, s.Live.GUID)
	}
	return s.Res, err
}

func (s *switcher) on(ctx context.Context) error {
	if s.Live.Annotations[bluegreen.AnnMaintenance] == On {
		s.Log.Note("%s is already in maintenance: nothing to do", s.o.App)
		s.Res.Maintenance = On
		return nil
	}
	routes, err := s.CC.AppRoutes(ctx, s.Live.GUID)
	if err != nil {
		return err
	}
	responder, err := s.ensureResponder(ctx)
	if err != nil {
		return err
	}
	if err := s.Log.Step("move routes to "+responder.Name, func() error { return s.moveRoutes(ctx, routes, responder, s.Live) }); err != nil {
		return err
	}
	if err := s.mark(ctx, routes); err != nil {
		return err
	}
	if s.o.StopApp {
		if err := s.Log.Step("stop "+s.o.App, func() error { return s.CC.Stop(ctx, s.Live.GUID) }); err != nil {
			return err
		}
	}
	s.Res.Maintenance = On
	return nil
}

func (s *switcher) off(ctx context.Context) error {
	if s.Live.Annotations[bluegreen.AnnMaintenance] != On {
		s.Log.Note("%s is not in maintenance: nothing to do", s.o.App)
		s.Res.Maintenance = Off
		return nil
	}
	routes, err := s.movedRoutes(ctx)
	if err != nil {
		return err
	}
	responder, err := s.CC.AppByName(ctx, s.Space.GUID, s.o.Responder)
	if err != nil {
		return err
	}
	if !s.Live.Started() {
		if err := s.Log.Step("start "+s.o.App, func() error { return s.StartApp(ctx, s.Live) }); err != nil {
			return err
		}
	}
	if responder != nil {
		if err := s.Log.Step("move routes back to "+s.o.App, func() error { return s.moveRoutes(ctx, routes, s.Live, responder) }); err != nil {
			return err
		}
		if err := s.retireResponder(ctx, responder); err != nil {
			return err
		}
	}
	off := Off
	s.Res.Maintenance = off
	return s.CC.Update(ctx, s.Live.GUID, s.Live.Name, nil,
		map[string]*string{bluegreen.AnnMaintenance: &off, bluegreen.AnnMaintenanceRoutes: nil})
}

// retireResponder deletes the responder once no route is left on it (a shared one may still
// serve other apps).
func (s *switcher) retireResponder(ctx context.Context, responder *platform.App) error {
	left, err := s.CC.AppRoutes(ctx, responder.GUID)
	if err != nil || len(left) > 0 {
		return err
	}
	return s.Log.Step("remove responder "+responder.Name, func() error { return s.CC.DeleteApp(ctx, responder.GUID) })
}

// moveRoutes maps every route to `to`, proves it serves each on every router, then unmaps
// `from` and proves it gone.
func (s *switcher) moveRoutes(ctx context.Context, routes []platform.Route, to, from *platform.App) error {
	toSize, err := s.CC.WebProcess(ctx, to.GUID)
	if err != nil {
		return err
	}
	fromSize, _ := s.CC.WebProcess(ctx, from.GUID)
	started := time.Now()
	for _, r := range routes {
		if err := s.CC.Map(ctx, r.GUID, to.GUID); err != nil {
			return err
		}
		if _, err := s.AppPresent(ctx, r, to.GUID, toSize.Instances); err != nil {
			return err
		}
	}
	for _, r := range routes {
		if err := s.CC.Unmap(ctx, r.GUID, from.GUID); err != nil {
			return err
		}
		if _, err := s.AppAbsent(ctx, r, from.GUID, fromSize.Instances); err != nil {
			return err
		}
		s.Res.Routes = append(s.Res.Routes, r.URL)
		s.Log.Note("%s serves %s on every router, %s no longer does", to.Name, r.URL, from.Name)
	}
	s.Res.Verified = append(s.Res.Verified, bluegreen.Verification{Route: "switch", Elapsed: time.Since(started)})
	return nil
}

// mark records on the app that it is in maintenance and which routes moved.
func (s *switcher) mark(ctx context.Context, routes []platform.Route) error {
	var guids []string
	for _, r := range routes {
		guids = append(guids, r.GUID)
	}
	sort.Strings(guids)
	on, list := On, strings.Join(guids, ",")
	return s.CC.Update(ctx, s.Live.GUID, s.Live.Name, nil,
		map[string]*string{bluegreen.AnnMaintenance: &on, bluegreen.AnnMaintenanceRoutes: &list})
}

func (s *switcher) movedRoutes(ctx context.Context) ([]platform.Route, error) {
	var routes []platform.Route
	for _, guid := range strings.Split(s.Live.Annotations[bluegreen.AnnMaintenanceRoutes], ",") {
		if guid == "" {
			continue
		}
		r, err := s.CC.Route(ctx, guid)
		if err != nil {
			return nil, err
		}
		routes = append(routes, r)
	}
	return routes, nil
}
