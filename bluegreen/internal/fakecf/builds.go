package fakecf

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// manifestDoc is the part of a cf manifest the fake applies.
type manifestDoc struct {
	Applications []manifestApp `yaml:"applications"`
}

type manifestApp struct {
	Name            string `yaml:"name"`
	manifestProcess `yaml:",inline"`
	NoRoute         bool              `yaml:"no-route"`
	Env             map[string]string `yaml:"env"`
	Routes          []struct {
		Route    string `yaml:"route"`
		Protocol string `yaml:"protocol"`
	} `yaml:"routes"`
	Processes []manifestProcess `yaml:"processes"`
	Services  []string          `yaml:"services"`
	Docker    *struct {
		Image    string `yaml:"image"`
		Username string `yaml:"username"`
	} `yaml:"docker"`
}

type manifestProcess struct {
	Type      string `yaml:"type"`
	Instances *int   `yaml:"instances"`
	Memory    string `yaml:"memory"`
	Disk      string `yaml:"disk_quota"`
}

// ApplyManifest creates or updates each named app: the web process's and other processes'
// instances, memory and disk, env (merged), routes (added, as CC's manifest apply does) and
// services (bound, never unbound).
func (f *Foundation) ApplyManifest(_ context.Context, space string, text []byte) error {
	c, err := f.record(Call{Method: "ApplyManifest", Args: []string{space}, YAML: string(text)})
	if err != nil {
		return err
	}
	defer f.done(c)
	var doc manifestDoc
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return fmt.Errorf("CF-UnprocessableEntity: manifest: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range doc.Applications {
		if err := f.applyApp(m); err != nil {
			return err
		}
	}
	return nil
}

func (f *Foundation) applyApp(m manifestApp) error {
	a := f.byName(m.Name)
	if a == nil {
		a = &App{GUID: f.newGUID("app"), Name: m.Name, State: string(platform.AppStopped), Labels: map[string]string{},
			Annotations: map[string]string{}, Env: map[string]string{}, Instances: 1, MemoryMB: 1024, DiskMB: 1024, LogRateLimit: -1, Created: time.Now()}
		if m.Docker != nil { // a docker key makes a new app a docker app
			a.Lifecycle = platform.LifecycleDocker
		}
		f.apps[a.GUID] = a
	}
	if m.Docker != nil && a.Lifecycle != platform.LifecycleDocker {
		return fmt.Errorf("CF-UnprocessableEntity: For application '%s': Lifecycle type cannot be changed from buildpack to docker", m.Name)
	}
	web := a.web()
	m.manifestProcess.applyTo(&web)
	a.setWeb(web)
	for _, p := range m.Processes {
		f.applyProcess(a, p)
	}
	maps.Copy(a.Env, m.Env)
	for _, r := range m.Routes {
		if err := f.mapURL(a, r.Route, r.Protocol); err != nil {
			return err
		}
	}
	for _, name := range m.Services {
		if si := f.serviceInstances[name]; si == nil {
			return fmt.Errorf("CF-UnprocessableEntity: For application '%s': Service instance '%s' not found", m.Name, name)
		}
		_, _ = f.bind(platform.BindingRequest{AppGUID: a.GUID, ServiceInstanceGUID: f.serviceInstances[name].GUID})
	}
	return nil
}

// applyProcess sets a process type's size from the manifest (web on the app itself).
func (f *Foundation) applyProcess(a *App, m manifestProcess) {
	if m.Type == "web" {
		web := a.web()
		m.applyTo(&web)
		a.setWeb(web)
		return
	}
	if a.Others == nil {
		a.Others = map[string]*platform.Process{}
	}
	p := a.Others[m.Type]
	if p == nil {
		p = &platform.Process{GUID: "process-" + m.Type + "-of-" + a.GUID, Type: m.Type, Instances: 1, MemoryMB: 1024, DiskMB: 1024, LogRateLimit: -1}
		a.Others[m.Type] = p
	}
	m.applyTo(p)
}

// applyTo sets what the manifest says of a process; the rest stays.
func (m manifestProcess) applyTo(p *platform.Process) {
	if m.Instances != nil {
		p.Instances = *m.Instances
	}
	if mb, ok := strings.CutSuffix(m.Memory, "M"); ok {
		_, _ = fmt.Sscan(mb, &p.MemoryMB)
	}
	if mb, ok := strings.CutSuffix(m.Disk, "M"); ok {
		_, _ = fmt.Sscan(mb, &p.DiskMB)
	}
}

// mapURL maps the app to a route (host.domain/path), creating it (mu held).
func (f *Foundation) mapURL(a *App, url, protocol string) error {
	host, domain, path, err := f.splitURL(url)
	if err != nil {
		return err
	}
	route, err := f.ensureRoute(f.domains[domain], host, path)
	if err != nil {
		return err
	}
	if _, ok := route.Dests[a.GUID]; !ok {
		route.Dests[a.GUID] = f.newGUID("dest")
		route.Protocols[a.GUID] = cmp.Or(protocol, "http1")
	}
	return nil
}

func (f *Foundation) Upload(_ context.Context, appGUID string, write func(io.Writer) error) (string, error) {
	c, err := f.record(Call{Method: "Upload", Args: []string{appGUID}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return "", fmt.Errorf("upload bits: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.app(appGUID); err != nil {
		return "", err
	}
	pkg := f.newGUID("package")
	f.packages[pkg] = appGUID
	f.Bits[appGUID] = buf.Bytes()
	return pkg, nil
}

// CreateDockerPackage makes a READY package of an image for the app: nothing is uploaded.
func (f *Foundation) CreateDockerPackage(_ context.Context, appGUID string, image platform.DockerImage) (string, error) {
	c, err := f.record(Call{Method: "CreateDockerPackage", Args: []string{appGUID, image.String()}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.app(appGUID); err != nil {
		return "", err
	}
	if strings.TrimSpace(image.Image) == "" {
		return "", fmt.Errorf("CF-UnprocessableEntity: Data Image required")
	}
	pkg := f.newGUID("package")
	f.packages[pkg] = appGUID
	f.Images[appGUID] = append(f.Images[appGUID], image)
	return pkg, nil
}

func (f *Foundation) Stage(ctx context.Context, pkg string) (string, error) {
	c, err := f.record(Call{Method: "Stage", Args: []string{pkg}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	f.mu.Lock()
	hangs, stageErr := f.StageHangs, f.StageErr
	f.mu.Unlock()
	if hangs {
		<-ctx.Done()
		return "", fmt.Errorf("staging: %w", context.Cause(ctx))
	}
	if stageErr != nil {
		return "", stageErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.packages[pkg]; !ok {
		return "", fmt.Errorf("CF-ResourceNotFound: package %s", pkg)
	}
	return f.newGUID("droplet"), nil
}

// UploadDroplet takes droplet bits for an app without staging.
func (f *Foundation) UploadDroplet(_ context.Context, appGUID string, _ map[string]string, write func(io.Writer) error) (string, error) {
	c, err := f.record(Call{Method: "UploadDroplet", Args: []string{appGUID}})
	if err != nil {
		return "", err
	}
	defer f.done(c)
	if err := write(io.Discard); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.newGUID("droplet"), nil
}

func (f *Foundation) SetDroplet(_ context.Context, appGUID, droplet string) error {
	return f.locked(Call{Method: "SetDroplet", Args: []string{appGUID, droplet}}, func() error {
		a, err := f.app(appGUID)
		if err != nil {
			return err
		}
		a.Droplet = droplet
		for _, t := range f.ProcessTypes {
			if a.Others[t] == nil {
				f.applyProcess(a, manifestProcess{Type: t, Instances: new(int)})
			}
		}
		return nil
	})
}

func (f *Foundation) DeployedRevision(_ context.Context, appGUID string) (string, error) {
	return read(f, &f.mu, Call{Method: "DeployedRevision", Args: []string{appGUID}}, func() (string, error) {
		a, err := f.app(appGUID)
		if err != nil {
			return "", err
		}
		return "revision-of-" + a.Droplet, nil
	})
}

// UploadFiles takes an app folder through resource matching: files whose SHA-1 the pool holds
// (Held) are counted as matched and left out of the zip the fake keeps as the app's bits.
func (f *Foundation) UploadFiles(ctx context.Context, appGUID string, files platform.AppFiles) (string, platform.UploadStats, error) {
	var st platform.UploadStats
	list, err := files.List()
	if err != nil {
		return "", st, err
	}
	f.mu.Lock()
	held := maps.Clone(f.Held)
	f.mu.Unlock()
	matched := map[string]bool{}
	for _, r := range list {
		st.Files++
		st.Bytes += r.Size
		if held[r.SHA1] {
			st.Matched++
			st.MatchedBytes += r.Size
			matched[r.Path] = true
		}
	}
	pkg, err := f.Upload(ctx, appGUID, func(w io.Writer) error { return files.Write(w, func(p string) bool { return matched[p] }) })
	return pkg, st, err
}
