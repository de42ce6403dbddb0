package manifest

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// ProcessSpec is what the manifest says about a process, at the app's top level (the web
// process) or in one `processes` entry. Nil pointers mean "not in the manifest".
type ProcessSpec struct {
	Instances           *int
	MemoryMB            *int // from `memory`, e.g. 256M or 1G
	DiskMB              *int // from `disk_quota`
	LogRateLimit        *int // bytes per second, from `log-rate-limit-per-second`; -1 unlimited
	Command             *string
	HealthCheckType     string // port, process, http or none
	HealthCheckEndpoint string // `health-check-http-endpoint`
	Timeout             *int   // seconds to the first healthy check
}

// Process is one entry of the manifest's `processes` list.
type Process struct {
	Type string
	ProcessSpec
}

// App is one entry of `applications`, with the fields the deploy engine reads. Everything the
// user wrote, read here or not, is kept for Render.
type App struct {
	Name string
	// Path is the manifest's `path`; Load makes a relative one absolute against the manifest's
	// folder. Empty when the manifest gives none (see SourcePath).
	Path         string
	Routes       []string          // `routes[].route`
	Protocols    map[string]string // `routes[].protocol` by route, where given (http1, http2)
	NoRoute      bool
	RandomRoute  bool
	DefaultRoute bool
	ProcessSpec
	Processes   []Process
	Env         map[string]string // values as their YAML text: 8080, true
	Buildpacks  []string          // `buildpacks`, or the legacy single `buildpack`
	Stack       string
	Services    []string // service instance names, from strings or `{name: ...}` entries
	DockerImage string   // `docker.image`; such an app has no bits to upload
	// DockerUsername is `docker.username`, the private registry's user; its password is never
	// in a manifest.
	DockerUsername string

	raw *yaml.Node // the expanded mapping as written, for Render
	dir string     // the manifest's folder (Load only), the default app path
}

func decodeApp(i int, n *yaml.Node) (*App, error) {
	if n.Kind != yaml.MappingNode {
		return nil, &FieldError{Field: fmt.Sprintf("applications[%d]", i), Problem: "must be a map"}
	}
	r := &reader{node: n, where: fmt.Sprintf("applications[%d]", i)}
	a := &App{raw: n, Name: strings.TrimSpace(r.str("name"))}
	if a.Name == "" {
		if len(r.errs) == 0 {
			r.fail("name", "missing")
		}
		return nil, r.errs.join()
	}
	r.where = fmt.Sprintf("app %q", a.Name)
	a.Path = r.str("path")
	a.Routes, a.Protocols = r.routes()
	a.NoRoute, a.RandomRoute, a.DefaultRoute = r.boolean("no-route"), r.boolean("random-route"), r.boolean("default-route")
	a.ProcessSpec = r.process()
	a.Processes = r.processes()
	a.Env = r.env()
	a.Buildpacks = r.buildpacks()
	a.Stack = r.str("stack")
	a.Services = r.services()
	a.DockerImage, a.DockerUsername = r.docker()
	return a, r.errs.join()
}

// docker reads `docker: {image, username}`. The registry password has no place there: a
// manifest travels to CC and into version control (cf push takes it from CF_DOCKER_PASSWORD,
// the resource from the put's docker_password).
func (r *reader) docker() (image, username string) {
	n := r.get("docker")
	switch {
	case n == nil || n.ShortTag() == "!!null":
		return "", ""
	case n.Kind != yaml.MappingNode:
		r.fail("docker", "must be a map")
		return "", ""
	}
	image, username = r.str("docker", "image"), r.str("docker", "username")
	if strings.TrimSpace(image) == "" {
		r.fail("docker.image", "missing (the image to run)")
	}
	if mapValue(n, "password") != nil {
		r.fail("docker.password", "not a manifest key: the registry password is a secret "+
			"(cf push takes it from CF_DOCKER_PASSWORD, this resource from the put's docker_password)")
	}
	return image, username
}

// process reads the fields an app shares with a `processes` entry.
func (r *reader) process() ProcessSpec {
	return ProcessSpec{
		Instances:           r.integer("instances", 0),
		MemoryMB:            r.size("memory"),
		DiskMB:              r.size("disk_quota"),
		LogRateLimit:        r.logRate("log-rate-limit-per-second"),
		Command:             r.strPtr("command"),
		HealthCheckType:     r.healthCheckType(),
		HealthCheckEndpoint: r.str("health-check-http-endpoint"),
		Timeout:             r.integer("timeout", 1),
	}
}

func (r *reader) processes() []Process {
	list := r.list("processes")
	out := make([]Process, 0, len(list))
	for i, n := range list {
		field := fmt.Sprintf("processes[%d]", i)
		if n.Kind != yaml.MappingNode {
			r.fail(field, "must be a map")
			continue
		}
		sub := &reader{node: n, where: r.where + " " + field}
		p := Process{Type: sub.str("type"), ProcessSpec: sub.process()}
		if p.Type == "" && len(sub.errs) == 0 {
			sub.fail("type", "missing")
		}
		r.errs = append(r.errs, sub.errs...)
		out = append(out, p)
	}
	return out
}

func (r *reader) routes() ([]string, map[string]string) {
	list := r.list("routes")
	var out []string
	protocols := map[string]string{}
	for i, n := range list {
		field := fmt.Sprintf("routes[%d].route", i)
		v := mapValue(n, "route")
		switch {
		case n.Kind != yaml.MappingNode:
			r.fail(fmt.Sprintf("routes[%d]", i), "must be a map with a route")
		case v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" || strings.TrimSpace(v.Value) == "":
			r.fail(field, "missing or not a string")
		default:
			out = append(out, v.Value)
			if p := mapValue(n, "protocol"); p != nil && p.Kind == yaml.ScalarNode && p.Value != "" {
				protocols[v.Value] = p.Value
			}
		}
	}
	return out, protocols
}

// env stringifies scalar values as the cf CLI does (8080, true stay as written); a list or a
// map has no string form the platform would accept.
func (r *reader) env() map[string]string {
	n := r.get("env")
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.fail("env", "must be a map of names to values")
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			r.fail("env", "names must be strings")
		case v.Kind != yaml.ScalarNode:
			r.fail("env."+k.Value, "must be a string, a number or a boolean")
		case v.ShortTag() == "!!null":
			out[k.Value] = ""
		default:
			out[k.Value] = v.Value
		}
	}
	return out
}

func (r *reader) buildpacks() []string {
	if r.get("buildpacks") == nil {
		if bp := r.str("buildpack"); bp != "" {
			return []string{bp}
		}
		return nil
	}
	var out []string
	for i, n := range r.list("buildpacks") {
		if n.Kind != yaml.ScalarNode {
			r.fail(fmt.Sprintf("buildpacks[%d]", i), "must be a string")
			continue
		}
		out = append(out, n.Value)
	}
	return out
}

func (r *reader) services() []string {
	var out []string
	for i, n := range r.list("services") {
		name := n
		if n.Kind == yaml.MappingNode {
			name = mapValue(n, "name")
		}
		if name == nil || name.Kind != yaml.ScalarNode || name.Value == "" {
			r.fail(fmt.Sprintf("services[%d]", i), "must be a service name or a map with a name")
			continue
		}
		out = append(out, name.Value)
	}
	return out
}

func (r *reader) healthCheckType() string {
	t := r.str("health-check-type")
	switch t {
	case "", "port", "process", "http", "none":
		return t
	}
	r.fail("health-check-type", "must be port, process, http or none")
	return ""
}
