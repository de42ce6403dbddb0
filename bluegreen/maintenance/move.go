package maintenance

import (
	"context"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// move maps every recorded route to `to`, proves it serves each on every router, then unmaps
// `from` (when there is one) and proves it gone. Each part is idempotent: mapping a mapped route
// or unmapping an unmapped one changes nothing, so a rerun picks up wherever a switch stopped.
func (s *switcher) move(ctx context.Context, to, from *platform.App) error {
	routes, err := s.routes(ctx)
	if err != nil {
		return err
	}
	toSize, err := s.CC.WebProcess(ctx, to.GUID)
	if err != nil {
		return err
	}
	started := time.Now()
	for _, r := range routes {
		if err := s.CC.Map(ctx, r.GUID, to.GUID, ""); err != nil {
			return err
		}
		if _, err := s.AppPresent(ctx, r, to.GUID, toSize.Instances); err != nil {
			return err
		}
	}
	for _, r := range routes {
		if err := s.unmap(ctx, r, from); err != nil {
			return err
		}
		s.Res.Routes = append(s.Res.Routes, r.URL)
		s.Log.Note("%s serves %s on every router%s", to.Name, r.URL, gone(from))
	}
	s.Res.Verified = append(s.Res.Verified, bluegreen.Verification{Route: "switch", Elapsed: time.Since(started)})
	return nil
}

// unmap takes `from` off a route and proves it gone; nothing to do when there is no `from` (a
// responder deleted by hand) or it no longer holds the route.
func (s *switcher) unmap(ctx context.Context, r platform.Route, from *platform.App) error {
	if from == nil {
		return nil
	}
	if _, mapped := r.Dests[from.GUID]; mapped {
		if err := s.CC.Unmap(ctx, r.GUID, from.GUID); err != nil {
			return err
		}
	}
	fromSize, _ := s.CC.WebProcess(ctx, from.GUID)
	_, err := s.AppAbsent(ctx, r, from.GUID, fromSize.Instances)
	return err
}

func gone(from *platform.App) string {
	if from == nil {
		return ""
	}
	return ", " + from.Name + " no longer does"
}
