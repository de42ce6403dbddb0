package cfsim_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/config"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

// foundation is a running simulator with a go-cfclient logged in to it.
type foundation struct {
	sim       *cfsim.Sim
	info      cfsim.Info
	cf        *client.Client
	spaceGUID string
	domain    *resource.Domain
}

func startFoundation(cfg cfsim.Config) *foundation {
	sim, err := cfsim.Start(cfg)
	Expect(err).NotTo(HaveOccurred())
	f := &foundation{sim: sim, info: sim.Info()}
	f.cf = login(f.info)
	ctx := context.Background()
	opts := client.NewSpaceListOptions()
	opts.Names.EqualTo(f.info.Space)
	space, err := f.cf.Spaces.Single(ctx, opts)
	Expect(err).NotTo(HaveOccurred())
	f.spaceGUID = space.GUID
	dopts := client.NewDomainListOptions()
	dopts.Names.EqualTo(f.info.Domain)
	f.domain, err = f.cf.Domains.Single(ctx, dopts)
	Expect(err).NotTo(HaveOccurred())
	return f
}

func login(info cfsim.Info) *client.Client {
	cfg, err := config.New(info.APIURL, config.UserPassword(info.Username, info.Password))
	Expect(err).NotTo(HaveOccurred())
	cf, err := client.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	return cf
}

func (f *foundation) close() { Expect(f.sim.Close()).To(Succeed()) }

// pushOpts describes an app deployed from test/apps/versioned.
type pushOpts struct {
	name      string
	version   string
	instances int
	env       map[string]string
	health    string // manifest health-check-type; default http on /health
	noStart   bool
	noRoute   bool
}

func (o pushOpts) manifest(domain string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "applications:\n- name: %s\n  memory: 64M\n  instances: %d\n", o.name, max(o.instances, 1))
	health := o.health
	if health == "" {
		health = "http"
	}
	fmt.Fprintf(&b, "  health-check-type: %s\n", health)
	if health == "http" {
		b.WriteString("  health-check-http-endpoint: /health\n")
	}
	b.WriteString("  timeout: 10\n  env:\n")
	fmt.Fprintf(&b, "    VERSION: %q\n", o.version)
	for k, v := range o.env {
		fmt.Fprintf(&b, "    %s: %q\n", k, v)
	}
	if !o.noRoute {
		fmt.Fprintf(&b, "  routes:\n  - route: %s.%s\n", o.name, domain)
	}
	return b.String()
}

// push applies a manifest, uploads the app, stages it, sets the droplet and starts the app:
// the cf push sequence, through go-cfclient.
func (f *foundation) push(o pushOpts) (*resource.App, string) {
	ctx := context.Background()
	job, err := f.cf.Manifests.ApplyManifest(ctx, f.spaceGUID, o.manifest(f.info.Domain))
	Expect(err).NotTo(HaveOccurred())
	Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
	app := f.appNamed(o.name)
	droplet := f.stage(app.GUID, appZip)
	_, err = f.cf.Droplets.SetCurrentAssociationForApp(ctx, app.GUID, droplet)
	Expect(err).NotTo(HaveOccurred())
	if !o.noStart {
		_, err = f.cf.Applications.Start(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
	}
	return app, droplet
}

// stage uploads a zip as a new package of the app and stages it; it returns the droplet guid.
func (f *foundation) stage(appGUID, zipPath string) string {
	build := f.startBuild(appGUID, zipPath)
	ctx := context.Background()
	Expect(f.cf.Builds.PollStaged(ctx, build, fastPoll())).To(Succeed())
	b, err := f.cf.Builds.Get(ctx, build)
	Expect(err).NotTo(HaveOccurred())
	return b.Droplet.GUID
}

func (f *foundation) startBuild(appGUID, zipPath string) string {
	build, err := f.cf.Builds.Create(context.Background(), resource.NewBuildCreate(f.readyPackage(appGUID, zipPath)))
	Expect(err).NotTo(HaveOccurred())
	return build.GUID
}

// readyPackage creates a bits package, uploads the zip and waits until it is READY.
func (f *foundation) readyPackage(appGUID, zipPath string) string {
	ctx := context.Background()
	pkg, err := f.cf.Packages.Create(ctx, resource.NewPackageCreate(appGUID))
	Expect(err).NotTo(HaveOccurred())
	zf, err := os.Open(zipPath)
	Expect(err).NotTo(HaveOccurred())
	defer zf.Close()
	_, err = f.cf.Packages.Upload(ctx, pkg.GUID, zf)
	Expect(err).NotTo(HaveOccurred())
	Expect(f.cf.Packages.PollReady(ctx, pkg.GUID, fastPoll())).To(Succeed())
	return pkg.GUID
}

func fastPoll() *client.PollingOptions {
	return &client.PollingOptions{Timeout: 30 * time.Second, CheckInterval: 50 * time.Millisecond, FailedState: "FAILED"}
}

func (f *foundation) appNamed(name string) *resource.App {
	opts := client.NewAppListOptions()
	opts.Names.EqualTo(name)
	opts.SpaceGUIDs.EqualTo(f.spaceGUID)
	app, err := f.cf.Applications.Single(context.Background(), opts)
	Expect(err).NotTo(HaveOccurred())
	return app
}

// states lists the instance states of the app's newest web process.
func (f *foundation) states(appGUID string) []string {
	stats, err := f.cf.Processes.GetStatsForApp(context.Background(), appGUID, "web")
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, s := range stats.Stats {
		out = append(out, s.State)
	}
	return out
}

// waitRunning waits until every instance of the app's web process is RUNNING.
func (f *foundation) waitRunning(appGUID string, n int) {
	want := make([]string, n)
	for i := range want {
		want[i] = "RUNNING"
	}
	Eventually(func() []string { return f.states(appGUID) }, 20*time.Second, 50*time.Millisecond).Should(Equal(want))
}

// reply is what a request through a router got.
type reply struct {
	status int
	body   string
	header http.Header
}

var plain = &http.Client{Timeout: 5 * time.Second}

// get sends GET base+path with the given Host and extra headers.
func get(base, host, path string, headers ...string) reply {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Host = host
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := plain.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return reply{status: resp.StatusCode, body: string(body), header: resp.Header}
}

func (f *foundation) host(app string) string { return app + "." + f.info.Domain }
