package cfsim

import "fmt"

// dockerManifestErrors refuses a manifest with docker apps while diego_docker is off, as CC's
// manifest validation does: one 422 per such app, prefixed with its name. The image itself
// is not used by apply_manifest: the cf CLI creates the docker package, with the password
// from CF_DOCKER_PASSWORD. Callers hold s.mu.
func (s *Sim) dockerManifestErrors(m manifest) []*ccError {
	disabled := s.featureDisabled("diego_docker")
	if disabled == nil {
		return nil
	}
	var errs []*ccError
	for _, a := range m.Applications {
		if a.Docker != nil {
			errs = append(errs, errUnprocessable(fmt.Sprintf("For application '%s': %s", a.Name, disabled.Detail)))
		}
	}
	return errs
}

// manifestDocker is the docker key of a docker app's generated manifest: the image of its
// current droplet's package and the username, never the password. Callers hold s.mu.
func (s *Sim) manifestDocker(a *app) map[string]string {
	d := s.droplets[a.dropletGUID]
	if d == nil || d.docker == nil {
		return nil
	}
	out := map[string]string{"image": d.docker.image}
	if p := s.packages[d.packageGUID]; p != nil && p.docker != nil && p.docker.username != "" {
		out["username"] = p.docker.username
	}
	return out
}
