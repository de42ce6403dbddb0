package platform

// Lifecycle is how CC stages and runs an app: buildpacks on a stack, or a Docker image. An app's
// lifecycle type is fixed when it is created (docs/platform/tasks-docker-sidecars-events.md#docker-apps).
type Lifecycle string

const (
	LifecycleBuildpack Lifecycle = "buildpack"
	LifecycleDocker    Lifecycle = "docker"
)

// DockerImage is what a docker package holds instead of bits: an image reference and, for a
// private registry, its credentials (both or neither). CC keeps the password on the package
// and never gives it back.
type DockerImage struct {
	Image    string
	Username string
	Password string
}

// String names the image and never the password, so an image printed by mistake (%v, %+v)
// leaks nothing.
func (d DockerImage) String() string {
	if d.Username == "" {
		return d.Image
	}
	return d.Image + " (registry user " + d.Username + ")"
}

// GoString hides the password from %#v too.
func (d DockerImage) GoString() string { return "platform.DockerImage{" + d.String() + "}" }
