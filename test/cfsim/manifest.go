package cfsim

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// manifest is the subset of the app manifest (schema version 1) the simulator applies.
type manifest struct {
	Version      *int          `yaml:"version"`
	Applications []manifestApp `yaml:"applications"`
}

type manifestProcess struct {
	Type                string  `yaml:"type"`
	Instances           *int    `yaml:"instances"`
	Memory              string  `yaml:"memory"`
	DiskQuota           string  `yaml:"disk_quota"`
	Command             *string `yaml:"command"`
	HealthCheckType     string  `yaml:"health-check-type"`
	HealthCheckEndpoint string  `yaml:"health-check-http-endpoint"`
	Timeout             *int    `yaml:"timeout"`
	InvocationTimeout   *int    `yaml:"health-check-invocation-timeout"`
	Interval            *int    `yaml:"health-check-interval"`
	ReadinessType       string  `yaml:"readiness-health-check-type"`
	ReadinessEndpoint   string  `yaml:"readiness-health-check-http-endpoint"`
	ReadinessInvocation *int    `yaml:"readiness-health-check-invocation-timeout"`
	ReadinessInterval   *int    `yaml:"readiness-health-check-interval"`
}

type manifestApp struct {
	Name            string `yaml:"name"`
	manifestProcess `yaml:",inline"`
	Env             map[string]any  `yaml:"env"`
	Routes          []manifestRoute `yaml:"routes"`

	NoRoute      bool              `yaml:"no-route"`
	RandomRoute  bool              `yaml:"random-route"`
	DefaultRoute bool              `yaml:"default-route"`
	Buildpacks   []string          `yaml:"buildpacks"`
	Buildpack    string            `yaml:"buildpack"`
	Stack        string            `yaml:"stack"`
	Processes    []manifestProcess `yaml:"processes"`
	Sidecars     []manifestSidecar `yaml:"sidecars"`
	Services     []any             `yaml:"services"`
	Docker       map[string]any    `yaml:"docker"`
	Metadata     struct {
		Labels      map[string]*string `yaml:"labels"`
		Annotations map[string]*string `yaml:"annotations"`
	} `yaml:"metadata"`
}

var sizePattern = regexp.MustCompile(`(?i)^(\d+)(B|K|KB|M|MB|G|GB|T|TB)$`)

// megabytes reads a manifest size such as 256M or 1G.
func megabytes(v string) (int, bool) {
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	switch strings.ToUpper(m[2][:1]) {
	case "B":
		return n / (1 << 20), true
	case "K":
		return n / 1024, true
	case "G":
		return n * 1024, true
	case "T":
		return n * 1024 * 1024, true
	}
	return n, true
}

// readManifest reads and validates the YAML body apply_manifest and manifest_diff take,
// answering CC's error itself when it is not one.
func readManifest(w http.ResponseWriter, r *http.Request) (m manifest, raw []byte, ok bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-yaml" && mt != "text/yaml" {
		writeError(w, errBadRequest("Content-Type must be yaml"))
		return m, nil, false
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, errParse())
		return m, nil, false
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		writeError(w, errBadRequest("Manifest does not support Anchors and Aliases"))
		return m, nil, false
	}
	if errs := validateManifest(m); len(errs) > 0 {
		writeError(w, errs...)
		return m, nil, false
	}
	return m, raw, true
}

// applyManifest: validation errors come back at once as a compound 422; apps the manifest
// names are created before the 202; the rest is applied by a job
// (docs/platform/manifests.md#manifests).
func (s *Sim) applyManifest(w http.ResponseWriter, r *http.Request) {
	m, raw, ok := readManifest(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.spaceIn(w, r)
	if !ok {
		return
	}
	if errs := s.dockerManifestErrors(m); len(errs) > 0 {
		writeError(w, errs...)
		return
	}
	apps := make([]*app, len(m.Applications))
	for i, ma := range m.Applications {
		if apps[i] = s.appNamed(sp.guid, ma.Name); apps[i] == nil {
			var body appCreateBody
			body.Name, body.Relationships.Space.Data.GUID = ma.Name, sp.guid
			if ma.Docker != nil {
				body.Lifecycle = &lifecycleBody{Type: dockerLifecycle}
			}
			apps[i], _ = s.newApp(body)
			s.recordAppEvent("audit.app.create", apps[i], appCreateEventData(body))
		}
	}
	s.recordApplyManifest(raw, apps)
	j := s.startJob("space.apply_manifest", sp.guid, func() []*ccError { return s.applyApps(m, apps) })
	writeAccepted(w, s.jobURL(j))
}

func validateManifest(m manifest) []*ccError {
	if m.Version != nil && *m.Version != 1 {
		return []*ccError{errUnprocessable("Unsupported manifest schema version. Currently supported versions: [1].")}
	}
	if m.Applications == nil {
		return []*ccError{errUnprocessable("Cannot parse manifest with no 'applications' field.")}
	}
	var errs []*ccError
	for i, a := range m.Applications {
		prefix := fmt.Sprintf("For application '%s': ", a.Name)
		if strings.TrimSpace(a.Name) == "" {
			prefix = fmt.Sprintf("For application at index %d: ", i)
			errs = append(errs, errUnprocessable(prefix+"Name must not be empty"))
		}
		for _, msg := range validateManifestApp(a) {
			errs = append(errs, errUnprocessable(prefix+msg))
		}
	}
	return errs
}

func validateManifestApp(a manifestApp) []string {
	var msgs []string
	procs := append([]manifestProcess{a.manifestProcess}, a.Processes...)
	for _, p := range procs {
		for _, size := range []string{p.Memory, p.DiskQuota} {
			if _, ok := megabytes(size); size != "" && !ok {
				msgs = append(msgs, "Process \"web\": Memory must use a supported unit: B, K, KB, M, MB, G, GB, T, or TB")
			}
		}
		if p.Instances != nil && *p.Instances < 0 {
			msgs = append(msgs, "Instances must be greater than or equal to 0")
		}
		if t := p.HealthCheckType; t != "" && t != "port" && t != "http" && t != "process" && t != "none" {
			msgs = append(msgs, "Health check type must be \"port\", \"process\", or \"http\"")
		}
	}
	for k := range a.Env {
		if strings.HasPrefix(k, "VCAP_") || k == "PORT" {
			msgs = append(msgs, "Env cannot set "+k)
		}
	}
	msgs = append(msgs, validateManifestRoutes(a.Routes)...)
	msgs = append(msgs, validateManifestSidecars(a.Sidecars)...)
	if a.RandomRoute && a.DefaultRoute {
		msgs = append(msgs, "Random-route and default-route may not be used together")
	}
	if a.Docker != nil && (a.Buildpack != "" || a.Buildpacks != nil) {
		msgs = append(msgs, "Cannot specify both buildpack(s) and docker keys")
	}
	return append(msgs, validateManifestServices(a.Services)...)
}

// applyApps is the job's work: each app's failures are prefixed with its name.
func (s *Sim) applyApps(m manifest, apps []*app) []*ccError {
	var errs []*ccError
	for i, ma := range m.Applications {
		a := apps[i]
		if a == nil || s.apps[a.guid] == nil {
			continue
		}
		if err := s.applyApp(ma, a); err != nil {
			errs = append(errs, &ccError{err.Status, fmt.Sprintf("For application '%s': %s", ma.Name, err.Detail), err.Title, err.Code})
		}
	}
	return errs
}

func (s *Sim) applyApp(ma manifestApp, a *app) *ccError {
	if ma.Docker != nil && a.lifecycle.kind != dockerLifecycle {
		return errUnprocessable("Lifecycle type cannot be changed from buildpack to docker")
	}
	if ma.Buildpack != "" {
		a.lifecycle.buildpacks = []string{ma.Buildpack}
	}
	if ma.Buildpacks != nil {
		a.lifecycle.buildpacks = ma.Buildpacks
	}
	if ma.Stack != "" {
		a.lifecycle.stack = ma.Stack
	}
	for k, v := range ma.Env {
		a.env[k] = fmt.Sprint(v)
	}
	a.meta.apply(&metadataPatch{Labels: ma.Metadata.Labels, Annotations: ma.Metadata.Annotations})
	web := ma.manifestProcess
	web.Type = "web"
	for _, p := range append([]manifestProcess{web}, ma.Processes...) {
		if err := s.applyProcess(a, p); err != nil {
			return err
		}
	}
	if err := s.applySidecars(a, ma.Sidecars); err != nil {
		return err
	}
	if err := s.applyRoutes(ma, a); err != nil {
		return err
	}
	return s.bindManifestServices(ma.Services, a)
}

func (s *Sim) applyProcess(a *app, mp manifestProcess) *ccError {
	if mp.Type == "" {
		mp.Type = "web"
	}
	ps := s.appProcesses(a.guid, mp.Type)
	var p *process
	if len(ps) == 0 {
		p = s.newProcess(a.guid, mp.Type)
	} else {
		p = ps[len(ps)-1]
	}
	var scale scaleBody
	scale.Instances = mp.Instances
	if mb, ok := megabytes(mp.Memory); ok {
		scale.MemoryMB = &mb
	}
	if mb, ok := megabytes(mp.DiskQuota); ok {
		scale.DiskMB = &mb
	}
	if scale.Instances != nil || scale.MemoryMB != nil || scale.DiskMB != nil {
		if err := s.scale(p, scale); err != nil {
			return err
		}
	}
	if mp.Command != nil {
		p.command = mp.Command
	}
	applyManifestHealth(p, mp)
	return nil
}

func applyManifestHealth(p *process, mp manifestProcess) {
	if mp.HealthCheckType != "" {
		kind := mp.HealthCheckType
		if kind == "none" {
			kind = "process"
		}
		p.health = healthCheck{kind: kind}
		if kind == "http" {
			p.health.endpoint = "/"
		}
	}
	if mp.HealthCheckEndpoint != "" {
		p.health.endpoint = mp.HealthCheckEndpoint
	}
	if mp.Timeout != nil {
		p.health.timeout = mp.Timeout
	}
	if mp.InvocationTimeout != nil {
		p.health.invocationTimeout = mp.InvocationTimeout
	}
	if mp.Interval != nil {
		p.health.interval = mp.Interval
	}
	if mp.ReadinessType != "" {
		p.readiness = healthCheck{kind: mp.ReadinessType}
		if mp.ReadinessType == "http" {
			p.readiness.endpoint = "/"
		}
	}
	if mp.ReadinessEndpoint != "" {
		p.readiness.endpoint = mp.ReadinessEndpoint
	}
	if mp.ReadinessInvocation != nil {
		p.readiness.invocationTimeout = mp.ReadinessInvocation
	}
	if mp.ReadinessInterval != nil {
		p.readiness.interval = mp.ReadinessInterval
	}
}
