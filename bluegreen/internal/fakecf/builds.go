package fakecf

import (
	"bytes"
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
	Applications []struct {
		Name      string            `yaml:"name"`
		Instances *int              `yaml:"instances"`
		Memory    string            `yaml:"memory"`
		NoRoute   bool              `yaml:"no-route"`
		Env       map[string]string `yaml:"env"`
		Routes    []struct {
			Route string `yaml:"route"`
		} `yaml:"routes"`
	} `yaml:"applications"`
}

// ApplyManifest creates or updates each named app: instances, memory, env (merged) and routes
// (added, as CC's manifest apply does).
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
		a := f.byName(m.Name)
		if a == nil {
			a = &App{GUID: f.newGUID("app"), Name: m.Name, State: string(platform.AppStopped), Labels: map[string]string{},
				Annotations: map[string]string{}, Env: map[string]string{}, Instances: 1, MemoryMB: 1024, Created: time.Now()}
			f.apps[a.GUID] = a
		}
		if m.Instances != nil {
			a.Instances = *m.Instances
		}
		if mb, ok := strings.CutSuffix(m.Memory, "M"); ok {
			_, _ = fmt.Sscan(mb, &a.MemoryMB)
		}
		for k, v := range m.Env {
			a.Env[k] = v
		}
		for _, r := range m.Routes {
			host, domain, path, err := f.splitURL(r.Route)
			if err != nil {
				return err
			}
			route, err := f.ensureRoute(f.domains[domain], host, path)
			if err != nil {
				return err
			}
			if _, ok := route.Dests[a.GUID]; !ok {
				route.Dests[a.GUID] = f.newGUID("dest")
				route.Protocols[a.GUID] = "http1"
			}
		}
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
