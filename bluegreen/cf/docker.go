package cf

import (
	"context"

	"github.com/cloudfoundry/go-cfclient/v3/resource"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// CreateDockerPackage makes a docker package for the app (`POST /v3/packages` with type
// docker and data {image, username, password}) and waits until it is READY, which CC makes it
// at once: there are no bits to upload. CC keeps the password on the package and shows it as
// *** ever after; it goes nowhere else from here
// (docs/platform/tasks-docker-sidecars-events.md#deploying-a-new-image-to-a-docker-app).
//
// A docker package holds nothing but a reference, so when the creation's answer is lost it is
// simply asked for again: at worst the app has one unused READY package more, which holds no
// bits. Finding "the one a lost answer made" among the app's packages could pick an older one
// with the same image and stale credentials.
func (c *Client) CreateDockerPackage(ctx context.Context, appGUID string, image platform.DockerImage) (string, error) {
	pkg, err := create(ctx, c.retry, "create docker package", func() (*resource.Package, error) {
		return c.cf.Packages.Create(ctx, resource.NewDockerPackageCreate(appGUID, image.Image, image.Username, image.Password))
	}, func() (*resource.Package, bool, error) { return nil, false, nil })
	if err != nil {
		return "", err
	}
	return pkg.GUID, c.awaitPackage(ctx, pkg.GUID)
}
