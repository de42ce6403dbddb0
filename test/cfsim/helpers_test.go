package cfsim_test

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// foundation is a running simulator with a go-cfclient logged in to it.
type foundation struct {
	*cfpush.Pusher
	sim    *cfsim.Sim
	info   cfsim.Info
	cf     *client.Client
	domain *resource.Domain
}

func startFoundation(cfg cfsim.Config) *foundation {
	sim, err := cfsim.Start(cfg)
	Expect(err).NotTo(HaveOccurred())
	f := connect(sim.Info())
	f.sim = sim
	return f
}

// connect logs in to a foundation described by its info.
func connect(info cfsim.Info) *foundation {
	cf, err := cfpush.Login(info.APIURL, info.Username, info.Password)
	Expect(err).NotTo(HaveOccurred())
	ctx := context.Background()
	pusher, err := cfpush.NewPusher(ctx, cf, info.Space, info.Domain)
	Expect(err).NotTo(HaveOccurred())
	pusher.Poll = fastPoll()
	f := &foundation{Pusher: pusher, info: info, cf: cf}
	dopts := client.NewDomainListOptions()
	dopts.Names.EqualTo(info.Domain)
	f.domain, err = cf.Domains.Single(ctx, dopts)
	Expect(err).NotTo(HaveOccurred())
	return f
}

func (f *foundation) close() { Expect(f.sim.Close()).To(Succeed()) }

// pushOpts describes an app deployed from test/apps/versioned.
type pushOpts struct {
	name      string
	version   string
	instances int
	env       map[string]string
	health    string
	noStart   bool
	noRoute   bool
}

// push is cf push through go-cfclient; it returns the app and its droplet guid.
func (f *foundation) push(o pushOpts) (*resource.App, string) {
	a := cfpush.App{Name: o.name, Version: o.version, Instances: o.instances, Env: o.env, Health: o.health, NoRoute: o.noRoute}
	app, droplet, err := f.Push(context.Background(), a, appZip, !o.noStart)
	Expect(err).NotTo(HaveOccurred())
	return app, droplet
}

func (f *foundation) stage(appGUID, zipPath string) string {
	droplet, err := f.Stage(context.Background(), appGUID, zipPath)
	Expect(err).NotTo(HaveOccurred())
	return droplet
}

func (f *foundation) startBuild(appGUID, zipPath string) string {
	build, err := f.StartBuild(context.Background(), appGUID, zipPath)
	Expect(err).NotTo(HaveOccurred())
	return build
}

func (f *foundation) readyPackage(appGUID, zipPath string) string {
	pkg, err := f.ReadyPackage(context.Background(), appGUID, zipPath)
	Expect(err).NotTo(HaveOccurred())
	return pkg
}

func fastPoll() *client.PollingOptions {
	return &client.PollingOptions{Timeout: 30 * time.Second, CheckInterval: 50 * time.Millisecond, FailedState: "FAILED"}
}

func (f *foundation) appNamed(name string) *resource.App {
	app, err := f.AppNamed(context.Background(), name)
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
