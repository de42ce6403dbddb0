package cfsim

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// The docker lifecycle. cfsim cannot pull images: Config.DockerImages maps an image
// reference to a local folder that stands for the image's file system. Staging only looks
// the reference up (as Diego's docker staging only reads the image's metadata); instances run
// in that folder, in place, with the image's start command (see dockerStartCommand).

// dockerRef is a docker package's data. The password is kept to "pull" with and never shown.
type dockerRef struct {
	image, username, password string
}

// dockerDroplet is what docker staging records instead of bits.
type dockerDroplet struct {
	image             string // the reference staged, as the droplet's image shows it
	executionMetadata string // JSON with the image's cmd and ports
	dir               string // the mapped folder instances run in
}

// dockerLifecycle is the lifecycle type of docker apps, builds and droplets.
const dockerLifecycle = "docker"

// dockerPackageBody is a package's data for type docker.
type dockerPackageBody struct {
	Image    string `json:"image"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// newDockerPackage makes a docker package: READY at once, there are no bits to upload.
// Credentials are taken as given (cfsim has no registry to check them against). Callers hold
// s.mu.
func (s *Sim) newDockerPackage(a *app, data dockerPackageBody) (*pkg, *ccError) {
	if strings.TrimSpace(data.Image) == "" {
		return nil, errUnprocessable("Data Image required")
	}
	p := &pkg{base: s.nextBase(), appGUID: a.guid, state: "READY", meta: newMetadata(),
		docker: &dockerRef{image: data.Image, username: data.Username, password: data.Password}}
	s.packages[p.guid] = p
	return p, nil
}

// presentDockerData shows the image and the username; the password only as ***.
func presentDockerData(d *dockerRef) map[string]any {
	var username, password any
	if d.username != "" {
		username, password = d.username, "***"
	}
	return map[string]any{"image": d.image, "username": username, "password": password}
}

// dockerImageDir finds the folder an image reference stands for; a reference without a tag
// and the same one with :latest are the same image.
func (s *Sim) dockerImageDir(ref string) (string, bool) {
	for _, r := range []string{ref, strings.TrimSuffix(ref, ":latest"), ref + ":latest"} {
		if dir, ok := s.cfg.DockerImages[r]; ok {
			return dir, true
		}
	}
	return "", false
}

// dockerStartCommand is the image's start command: the folder's Procfile web line, or else
// its only executable file, run as ./NAME.
func dockerStartCommand(dir string) (string, bool) {
	if web := procfile(filepath.Join(dir, "Procfile"))["web"]; web != "" {
		return web, true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	var exes []string
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			exes = append(exes, e.Name())
		}
	}
	if len(exes) != 1 {
		return "", false
	}
	return "./" + exes[0], true
}

// splitImageRef splits a reference the way the docker lifecycle names it in its errors: the
// repository without the registry (library/ for official Docker Hub images) and the tag.
func splitImageRef(ref string) (repo, tag string) {
	repo, tag = ref, "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	parts := strings.Split(repo, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:]
	}
	if len(parts) == 1 {
		parts = append([]string{"library"}, parts...)
	}
	return strings.Join(parts, "/"), tag
}

// dockerDisabled answers CC's 403 when diego_docker is off and the app or package is docker.
// Callers hold s.mu.
func (s *Sim) dockerDisabled(a *app) *ccError {
	if a.lifecycle.kind != dockerLifecycle {
		return nil
	}
	return s.featureDisabled("diego_docker")
}

// presentDockerDroplet adds the docker fields to a droplet's presentation: no checksum, no
// buildpacks or stack, the image, and no download link (there are no bits).
func presentDockerDroplet(d *droplet, v map[string]any) {
	v["lifecycle"] = map[string]any{"type": dockerLifecycle, "data": map[string]any{}}
	v["image"], v["execution_metadata"] = d.docker.image, d.docker.executionMetadata
	v["checksum"], v["buildpacks"], v["stack"] = nil, nil, nil
	delete(v["links"].(map[string]any), "download")
}

func errDockerDownload() *ccError {
	return &ccError{http.StatusUnprocessableEntity, "Cannot download droplets with 'docker' lifecycle.",
		"CF-UnprocessableEntity", 10008}
}
