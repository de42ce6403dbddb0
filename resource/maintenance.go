package resource

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/maintenance"
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

// maintenancePlan prepares the responder: its name, its configuration as env vars, and its
// bits (the responder binary, a Procfile, and the page files from the inputs).
func maintenancePlan(p OutParams, app, dir string) (bluegreen.MaintenancePlan, error) {
	m := p.Maintenance
	plan := bluegreen.MaintenancePlan{On: m.State == "on", StopApp: m.StopApp, Responder: app + "-maintenance",
		Env: map[string]string{}}
	if m.Responder == "space" {
		plan.Responder = "maintenance-responder"
	}
	if m.Status != 0 {
		plan.Env[maintenance.EnvStatus] = strconv.Itoa(m.Status)
	}
	if m.RetryAfter != nil {
		plan.Env[maintenance.EnvRetryAfter] = strconv.Itoa(*m.RetryAfter)
	}
	if m.Message != "" {
		plan.Env[maintenance.EnvMessage] = m.Message
	}
	if !plan.On {
		return plan, nil
	}
	bin, err := responderBinary()
	if err != nil {
		return plan, err
	}
	files := map[string]string{"responder": bin}
	for field, f := range map[string]struct{ env, path string }{"page": {maintenance.EnvPageFile, m.Page}, "json": {maintenance.EnvJSONFile, m.JSON}} {
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
