// Package history reads the releases of an app: the versions that went live, across the apps
// blue-green deploys make and the revisions CAPI deployments make. check lists them; in reads one.
package history

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Platform is what reading an app's releases needs of the Cloud Controller.
type Platform interface {
	Space(ctx context.Context, org, space string) (platform.Space, error)
	AppByName(ctx context.Context, spaceGUID, name string) (*platform.App, error)
	App(ctx context.Context, guid string) (*platform.App, error)
	AppsWithLabel(ctx context.Context, spaceGUID, key, value string) ([]*platform.App, error)
	Revisions(ctx context.Context, appGUID string) ([]platform.Revision, error)
	RevisionByGUID(ctx context.Context, guid string) (platform.Revision, bool, error)
	Deployments(ctx context.Context, appGUID string) ([]platform.Deployment, error)
	AppRoutes(ctx context.Context, appGUID string) ([]platform.Route, error)
	Instances(ctx context.Context, appGUID string) ([]platform.Instance, error)
	AppManifest(ctx context.Context, appGUID string) (string, error)
	Droplet(ctx context.Context, guid string) (platform.DropletInfo, error)
	DownloadDroplet(ctx context.Context, guid string, w io.Writer) error
}

// Release is one version that went live: an app (blue-green makes a new one each deploy) and
// the revision it ran (a deployment makes a new one on the same app).
type Release struct {
	AppGUID, AppName string
	RevisionGUID     string // or "droplet-<guid>" for an app with revisions off
	RevisionVersion  int
	DropletGUID      string
	Created          time.Time
}

// dropletPrefix marks a release of an app with revisions off.
const dropletPrefix = "droplet-"

// Releases lists the releases of app, oldest first: the revisions of the live app and of the
// previous versions kept by blue-green deploys, without the revisions of deployments that
// were cancelled (they never went live). Nil when the app does not exist.
func Releases(ctx context.Context, h Platform, org, space, app string) ([]Release, error) {
	sp, err := h.Space(ctx, org, space)
	if err != nil {
		return nil, err
	}
	live, err := h.AppByName(ctx, sp.GUID, app)
	if err != nil || live == nil {
		return nil, err
	}
	apps := []*platform.App{live}
	previous, err := h.AppsWithLabel(ctx, sp.GUID, bluegreen.LabelRole, bluegreen.RolePrevious)
	if err != nil {
		return nil, err
	}
	for _, a := range previous {
		if a.Annotations[bluegreen.AnnApp] == app {
			apps = append(apps, a)
		}
	}
	var out []Release
	for _, a := range apps {
		rels, err := appReleases(ctx, h, a)
		if err != nil {
			return nil, err
		}
		out = append(out, rels...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

func appReleases(ctx context.Context, h Platform, a *platform.App) ([]Release, error) {
	revs, err := h.Revisions(ctx, a.GUID)
	if err != nil {
		return nil, err
	}
	if len(revs) == 0 {
		if a.DropletGUID == "" {
			return nil, nil
		}
		return []Release{{AppGUID: a.GUID, AppName: a.Name, RevisionGUID: dropletPrefix + a.DropletGUID,
			DropletGUID: a.DropletGUID, Created: a.Created}}, nil
	}
	cancelled, err := cancelledRevisions(ctx, h, a.GUID)
	if err != nil {
		return nil, err
	}
	var out []Release
	for _, r := range revs {
		if !cancelled[r.GUID] {
			out = append(out, Release{AppGUID: a.GUID, AppName: a.Name, RevisionGUID: r.GUID,
				RevisionVersion: r.Version, DropletGUID: r.DropletGUID, Created: r.Created})
		}
	}
	return out, nil
}

func cancelledRevisions(ctx context.Context, h Platform, appGUID string) (map[string]bool, error) {
	deps, err := h.Deployments(ctx, appGUID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, d := range deps {
		if d.Reason == platform.ReasonCanceled && d.RevisionGUID != "" {
			out[d.RevisionGUID] = true
		}
	}
	return out, nil
}

// Details is what `in` writes about one release.
type Details struct {
	Release
	State        platform.AppState
	Routes       []string
	Instances    []platform.Instance
	Manifest     string
	ProcessTypes map[string]string
	Checksum     string
	Image        string // the image a docker droplet runs; "" for a buildpack droplet
	Annotations  map[string]string
}

// ErrGone says the release no longer exists on the foundation.
var ErrGone = fmt.Errorf("no longer exists")

// Inspect reads one release, or fails with ErrGone when its app or revision was deleted.
func Inspect(ctx context.Context, h Platform, appGUID, revisionGUID string) (Details, error) {
	a, err := h.App(ctx, appGUID)
	if err != nil {
		return Details{}, err
	}
	if a == nil {
		return Details{}, fmt.Errorf("app %s %w (deleted)", appGUID, ErrGone)
	}
	d := Details{Release: Release{AppGUID: a.GUID, AppName: a.Name, RevisionGUID: revisionGUID},
		State: a.State, Annotations: a.Annotations}
	if droplet, ok := strings.CutPrefix(revisionGUID, dropletPrefix); ok {
		d.DropletGUID = droplet
	} else {
		rev, found, err := h.RevisionByGUID(ctx, revisionGUID)
		if err != nil {
			return d, err
		}
		if !found {
			return d, fmt.Errorf("revision %s of app %s %w", revisionGUID, a.Name, ErrGone)
		}
		d.RevisionVersion, d.DropletGUID, d.Created = rev.Version, rev.DropletGUID, rev.Created
	}
	return d, inspectApp(ctx, h, &d)
}

func inspectApp(ctx context.Context, h Platform, d *Details) error {
	routes, err := h.AppRoutes(ctx, d.AppGUID)
	if err != nil {
		return err
	}
	for _, r := range routes {
		d.Routes = append(d.Routes, r.URL)
	}
	if d.State == platform.AppStarted {
		if d.Instances, err = h.Instances(ctx, d.AppGUID); err != nil {
			return err
		}
	}
	if d.Manifest, err = h.AppManifest(ctx, d.AppGUID); err != nil {
		return err
	}
	drop, err := h.Droplet(ctx, d.DropletGUID)
	if err != nil {
		return err
	}
	d.ProcessTypes, d.Checksum, d.Image = drop.ProcessTypes, drop.Checksum, drop.Image
	return nil
}

// DownloadDroplet writes the release's droplet to w.
func DownloadDroplet(ctx context.Context, h Platform, d Details, w io.Writer) error {
	return h.DownloadDroplet(ctx, d.DropletGUID, w)
}
