package maintenance

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

// ensureResponder pushes the responder (or reuses a running one) and waits for it to run.
func (s *switcher) ensureResponder(ctx context.Context) error {
	existing, err := s.CC.AppByName(ctx, s.Space.GUID, s.o.Responder)
	if err != nil {
		return err
	}
	if existing.Started() {
		s.Log.Note("responder %s is running: reusing it", existing.Name)
		s.responder = existing
		return nil
	}
	if err := s.pushResponder(ctx); err != nil {
		return err
	}
	s.responder, err = s.CC.AppByName(ctx, s.Space.GUID, s.o.Responder)
	return err
}

func (s *switcher) pushResponder(ctx context.Context) error {
	if err := s.CC.ApplyManifest(ctx, s.Space.GUID, s.responderManifest()); err != nil {
		return err
	}
	app, err := s.CC.AppByName(ctx, s.Space.GUID, s.o.Responder)
	if err != nil || app == nil {
		return fmt.Errorf("responder %s missing after applying its manifest: %v", s.o.Responder, err)
	}
	pkg, err := s.Upload(ctx, app.GUID, bluegreen.Bits{Zip: s.o.Bits})
	if err != nil {
		return err
	}
	droplet, err := s.Stage(ctx, pkg)
	if err != nil {
		return err
	}
	if err := s.CC.SetDroplet(ctx, app.GUID, droplet); err != nil {
		return err
	}
	return s.StartAll(ctx, app)
}

// responderManifest runs two small instances, health-checked on the responder's own path.
func (s *switcher) responderManifest() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "applications:\n- name: %s\n  memory: 32M\n  instances: 2\n  no-route: true\n", s.o.Responder)
	b.WriteString("  health-check-type: http\n  health-check-http-endpoint: /__maintenance/health\n  env:\n")
	keys := make([]string, 0, len(s.o.Env))
	for k := range s.o.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s: %q\n", k, s.o.Env[k])
	}
	return []byte(b.String())
}
