package resource

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/maintenance"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	responder "github.com/cf-bluegreen-resource/cf-bluegreen-resource/maintenance"
)

// responderBinary is the maintenance responder shipped beside out (/opt/resource/responder).
func responderBinary() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("maintenance: find the responder: %w", err)
	}
	path := filepath.Join(filepath.Dir(self), "responder")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("maintenance: the responder app is missing beside out (%s)", path)
	}
	return path, nil
}

// maintenanceOptions prepares the responder: its name, its configuration as env vars, and its
// bits (the responder binary, a Procfile, and the page files from the inputs).
func maintenanceOptions(p OutParams, target bluegreen.Target, dir string) (maintenance.Options, error) {
	m := p.Maintenance
	plan := maintenance.Options{Target: target, On: m.State == maintenance.On, StopApp: m.StopApp,
		Responder: target.App + "-maintenance", Env: map[string]string{}, Timeouts: timeouts(p)}
	if m.Responder == "space" {
		plan.Responder = "maintenance-responder"
	}
	if m.Status != 0 {
		plan.Env[responder.EnvStatus] = strconv.Itoa(m.Status)
	}
	if m.RetryAfter != nil {
		plan.Env[responder.EnvRetryAfter] = strconv.Itoa(*m.RetryAfter)
	}
	if m.Message != "" {
		plan.Env[responder.EnvMessage] = m.Message
	}
	if !plan.On {
		return plan, nil
	}
	bin, err := responderBinary()
	if err != nil {
		return plan, err
	}
	files := map[string]string{"responder": bin}
	for field, f := range map[string]struct{ env, path string }{"page": {responder.EnvPageFile, m.Page}, "json": {responder.EnvJSONFile, m.JSON}} {
		if f.path == "" {
			continue
		}
		src, err := inputPath("params.maintenance."+field, dir, f.path)
		if err != nil {
			return plan, err
		}
		files[field+filepath.Ext(src)] = src
		plan.Env[f.env] = field + filepath.Ext(src)
	}
	plan.Bits = func(w io.Writer) error { return zipResponder(w, files) }
	return plan, nil
}

// zipResponder lays the responder's files out in a folder and zips it as an app.
func zipResponder(w io.Writer, files map[string]string) error {
	dir, err := os.MkdirTemp("", "responder-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for name, src := range files {
		mode := os.FileMode(0o644)
		if name == "responder" {
			mode = 0o755
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, mode); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: ./responder\n"), 0o644); err != nil {
		return err
	}
	return manifest.WriteZip(w, manifest.Source{Path: dir})
}
