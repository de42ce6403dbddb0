package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/history"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/maintenance"
)

// InRequest is what Concourse sends to in; params are absent unless the get step sets some.
type InRequest struct {
	Source  Source   `json:"source"`
	Version *Version `json:"version"`
	Params  InParams `json:"params"`
}

// InParams are the get step's params.
type InParams struct {
	DownloadDroplet bool `json:"download_droplet,omitempty"`
	AfterPut        bool `json:"after_put,omitempty"` // tolerated: some pipelines pass it to implicit gets
}

// In writes the release's deployed state into dir: files a later task can use, and on
// request the droplet, to promote the same bits to another foundation.
func In(ctx context.Context, stdin io.Reader, dir string, stdout, stderr io.Writer) error {
	var req InRequest
	if err := decodeStrict(stdin, &req); err != nil {
		return err
	}
	if err := req.Source.validateForReading(); err != nil {
		return err
	}
	if req.Version == nil || req.Version.AppGUID == "" || req.Version.RevisionGUID == "" {
		return fmt.Errorf("%w: app_guid and revision_guid", errNoVersion)
	}
	warnInsecure(stderr, req.Source)
	return scrub(get(ctx, req, dir, stdout, stderr), req.Source.Secrets(), nil)
}

// get reads the release and writes it out.
func get(ctx context.Context, req InRequest, dir string, stdout, stderr io.Writer) error {
	f, err := connect(ctx, req.Source)
	if err != nil {
		return nameField(err)
	}
	d, err := history.Inspect(ctx, f.CC, req.Version.AppGUID, req.Version.RevisionGUID)
	if errors.Is(err, history.ErrGone) {
		return fmt.Errorf("version %s/%s is not available: %w", req.Version.AppGUID, req.Version.RevisionGUID, err)
	}
	if err != nil {
		return nameField(err)
	}
	if req.Params.DownloadDroplet && d.Image != "" {
		return fmt.Errorf("params.download_droplet: %s runs the docker image %s: its droplet has no bits to download; "+
			"to promote it, deploy the same image (docker.image in the manifest)", d.AppName, d.Image)
	}
	if err := writeRelease(dir, *req.Version, d); err != nil {
		return err
	}
	if req.Params.DownloadDroplet {
		if err := downloadDroplet(ctx, f.CC, dir, d); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "downloaded droplet %s (sha256 %s)\n", d.DropletGUID, d.Checksum)
	}
	return json.NewEncoder(stdout).Encode(Response{Version: *req.Version, Metadata: inMetadata(d)})
}

func connect(ctx context.Context, s Source) (bluegreen.Foundation, error) {
	return bluegreen.Connect(ctx, bluegreen.Login{API: s.API, Username: s.Username, Password: s.Password,
		ClientID: s.ClientID, ClientSecret: s.ClientSecret, SkipCertCheck: s.SkipCertCheck, CACert: s.CACert,
		RouterURLs: s.RouterURLs})
}

// writeRelease writes one file per fact, and metadata.json with all of them.
func writeRelease(dir string, v Version, d history.Details) error {
	meta := releaseJSON(v, d)
	files := map[string]string{
		"app_name": d.AppName, "app_guid": d.AppGUID, "droplet_guid": d.DropletGUID,
		"revision": strconv.Itoa(d.RevisionVersion), "revision_guid": d.RevisionGUID,
		"routes": strings.Join(d.Routes, "\n"), "manifest.yml": d.Manifest,
		"deployed_at": meta["deployed_at"].(string), "build_url": meta["build_url"].(string),
		"maintenance": meta["maintenance"].(string),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content+"\n"), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	for name, v := range map[string]any{"metadata.json": meta, "version.json": v,
		"instances.json": meta["instances"], "droplet.json": meta["droplet"]} {
		data, _ := json.MarshalIndent(v, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, name), append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

func releaseJSON(v Version, d history.Details) map[string]any {
	instances := []map[string]any{}
	for _, in := range d.Instances {
		instances = append(instances, map[string]any{"index": in.Index, "state": in.State, "routable": in.Routable})
	}
	ann := func(k string) string { return d.Annotations[bluegreen.KeyPrefix+k] }
	return map[string]any{
		"version": v, "app_name": d.AppName, "app_guid": d.AppGUID, "state": d.State,
		"revision": d.RevisionVersion, "revision_guid": d.RevisionGUID, "routes": d.Routes, "instances": instances,
		"droplet":     dropletJSON(d),
		"deployed_at": deployedAt(d), "build_url": ann("build-url"), "maintenance": maintenanceState(d),
		"build": map[string]string{"team": ann("build-team"), "pipeline": ann("build-pipeline"),
			"job": ann("build-job"), "name": ann("build-name")},
	}
}

// dropletJSON is the droplet's guid, checksum and process types, and a docker droplet's image.
func dropletJSON(d history.Details) map[string]any {
	out := map[string]any{"guid": d.DropletGUID, "sha256": d.Checksum, "process_types": d.ProcessTypes}
	if d.Image != "" {
		out["image"] = d.Image
	}
	return out
}

// deployedAt is when the release's revision was made, else when the app was last deployed.
// maintenanceState is on while the app's routes are switched to the maintenance responder.
// A switch stopped halfway says so (switching-on, switching-off).
func maintenanceState(d history.Details) string {
	if state := d.Annotations[bluegreen.AnnMaintenance]; state != "" {
		return state
	}
	return maintenance.Off
}

func deployedAt(d history.Details) string {
	if !d.Created.IsZero() {
		return d.Created.UTC().Format(time.RFC3339)
	}
	return d.Annotations[bluegreen.AnnDeployedAt]
}

func downloadDroplet(ctx context.Context, h history.Platform, dir string, d history.Details) error {
	f, err := os.Create(filepath.Join(dir, "droplet.tgz"))
	if err != nil {
		return fmt.Errorf("write droplet.tgz: %w", err)
	}
	if err := history.DownloadDroplet(ctx, h, d, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func inMetadata(d history.Details) []Metadata {
	return []Metadata{{"app_name", d.AppName}, {"app_guid", d.AppGUID}, {"revision", strconv.Itoa(d.RevisionVersion)},
		{"droplet_guid", d.DropletGUID}, {"state", string(d.State)}, {"routes", strings.Join(d.Routes, ", ")},
		{"deployed_at", deployedAt(d)}, {"maintenance", maintenanceState(d)}}
}
