package resource

import (
	"fmt"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// dockerImage is the image a put deploys for an app with docker.image in its manifest, nil
// for a buildpack app. It refuses, before anything changes, what cannot go with an image: bits
// (path, the manifest's or the param), buildpacks, a droplet to promote, and registry
// credentials that are half there (the username and the password, or neither; a droplet of an
// image has no bits: docs/platform/tasks-docker-sidecars-events.md#deploying-a-new-image-to-a-docker-app).
func dockerImage(p OutParams, app *manifest.App) (*platform.DockerImage, error) {
	if app == nil {
		return nil, nil
	}
	if app.DockerImage == "" {
		if p.DockerPassword != "" {
			return nil, fmt.Errorf("params.docker_password: app %q is not a docker image app (no docker.image in the manifest)", app.Name)
		}
		return nil, nil
	}
	if err := dockerAlone(p, app); err != nil {
		return nil, err
	}
	if p.Action != bluegreen.ActionDeploy || p.Maintenance != nil {
		return nil, nil // no package is made: the registry is not asked
	}
	if err := dockerCredentials(p, app); err != nil {
		return nil, err
	}
	return &platform.DockerImage{Image: app.DockerImage, Username: app.DockerUsername, Password: p.DockerPassword}, nil
}

// dockerAlone refuses what a docker image cannot go with.
func dockerAlone(p OutParams, app *manifest.App) error {
	switch {
	case p.Droplet != "":
		return fmt.Errorf("params.droplet: app %q is a docker image (docker.image in the manifest): there is no droplet to move; "+
			"deploy the same image instead (docker.image, with docker_password for a private registry)", app.Name)
	case p.Path != "":
		return fmt.Errorf("params.path: app %q is a docker image (docker.image in the manifest): there are no bits to upload; remove path", app.Name)
	case app.Path != "":
		return fmt.Errorf("params.manifest: app %q has both docker.image and path: an image has no bits to upload; remove one", app.Name)
	case len(app.Buildpacks) > 0:
		return fmt.Errorf("params.manifest: app %q has both docker.image and buildpacks: an image is not staged by buildpacks; remove one", app.Name)
	}
	return nil
}

// dockerCredentials wants the registry's username and password together, or neither.
func dockerCredentials(p OutParams, app *manifest.App) error {
	switch {
	case app.DockerUsername != "" && p.DockerPassword == "":
		return fmt.Errorf("params.docker_password: required: app %q's manifest gives docker.username, "+
			"and the registry password comes only from this param (as cf push takes it only from CF_DOCKER_PASSWORD)", app.Name)
	case app.DockerUsername == "" && p.DockerPassword != "":
		return fmt.Errorf("params.docker_password: app %q's manifest has no docker.username: a private registry needs both, a public image neither", app.Name)
	}
	return nil
}
