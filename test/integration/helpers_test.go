package integration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/config"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// world is a simulated foundation, an inputs folder holding the app and its manifest, and a
// go-cfclient to look at the result.
type world struct {
	sim    *cfsim.Sim
	info   cfsim.Info
	cf     *client.Client
	inputs string
}

const appName = "myapp"

func newWorld() *world { return newWorldWith(0) }

// newWorldWith sets the deployment updater's tick (0 = cfsim's default, CC's 5 s).
func newWorldWith(deploymentInterval time.Duration) *world {
	return newWorldFrom(worldConfig(deploymentInterval))
}

// worldConfig is every spec's foundation: three routers lagging 200 ms to 2 s.
func worldConfig(deploymentInterval time.Duration) cfsim.Config {
	return cfsim.Config{Routers: 3, RouteLagMin: 200 * time.Millisecond, RouteLagMax: 2 * time.Second,
		CrashBackoff: 5 * time.Second, DeploymentInterval: deploymentInterval}
}

// newWorldFrom starts cfg's foundation. The spec's own go-cfclient trusts its CA, if any.
func newWorldFrom(cfg cfsim.Config) *world {
	sim, err := cfsim.Start(cfg)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(sim.Close)
	scan.foundation(sim)
	w := &world{sim: sim, info: sim.Info(), inputs: GinkgoT().TempDir()}
	var login []config.Option
	if w.info.CACert != "" {
		login = append(login, config.HttpClient(trusting(w.info.CACert)))
	}
	w.cf, err = cfpush.Login(w.info.APIURL, w.info.Username, w.info.Password, login...)
	Expect(err).NotTo(HaveOccurred())
	copyFile(bins.Versioned, filepath.Join(w.inputs, "app", "versioned"), 0o755)
	w.write("app/Procfile", "web: ./versioned\n")
	w.write("manifest.yml", baseManifest)
	return w
}

// baseManifest is every world's app: two instances of the test app with an HTTP health
// check; specs that need more env vars append them.
const baseManifest = `applications:
- name: myapp
  memory: 64M
  instances: 2
  path: app
  health-check-type: http
  health-check-http-endpoint: /health
  timeout: 5
  env:
    VERSION: ((version))
`

func (w *world) write(rel, content string) {
	p := filepath.Join(w.inputs, rel)
	Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
	Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
}

// request is a put request for version v with extra params.
func (w *world) request(version string, extra map[string]any) map[string]any {
	params := map[string]any{"manifest": "manifest.yml", "vars": map[string]any{"version": version},
		"drain": "0s", "lease_ttl": "3s", "settle": "1s"}
	for k, v := range extra {
		params[k] = v
	}
	return map[string]any{
		"source": map[string]any{"api": w.info.APIURL, "username": w.info.Username, "password": w.info.Password,
			"organization": w.info.Org, "space": w.info.Space, "router_urls": w.info.RouterURLs},
		"params": params,
	}
}

// rolling is a put request for version with strategy rolling and extra params over it.
func (w *world) rolling(version string, extra map[string]any) map[string]any {
	params := map[string]any{"strategy": "rolling"}
	for k, v := range extra {
		params[k] = v
	}
	return w.request(version, params)
}

// run is one finished out.
type run struct {
	code           int
	stdout, stderr string
}

// out runs out to the end. Every run's output is scanned for the password.
func (w *world) out(req any) run {
	s := w.startOut(req)
	Eventually(s, 3*time.Minute).Should(gexec.Exit())
	r := run{code: s.ExitCode(), stdout: string(s.Out.Contents()), stderr: string(s.Err.Contents())}
	Expect(r.stdout+r.stderr).NotTo(ContainSubstring(w.info.Password), "out printed the password")
	return r
}

func (w *world) outRaw(stdin string) run {
	cmd := exec.Command(bins.Out, w.inputs)
	cmd.Stdin = strings.NewReader(stdin)
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	scan.track(s, cmd, []byte(stdin))
	Eventually(s, time.Minute).Should(gexec.Exit())
	return run{code: s.ExitCode(), stdout: string(s.Out.Contents()), stderr: string(s.Err.Contents())}
}

func (w *world) startOut(req any) *gexec.Session {
	body, err := json.Marshal(req)
	Expect(err).NotTo(HaveOccurred())
	cmd := exec.Command(bins.Out, w.inputs)
	cmd.Stdin = bytes.NewReader(body)
	cmd.Env = append(os.Environ(), "BUILD_TEAM_NAME=main", "BUILD_PIPELINE_NAME=deploy", "BUILD_JOB_NAME=prod",
		"BUILD_NAME=7", "BUILD_ID=42", "ATC_EXTERNAL_URL=https://ci.example.com")
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	scan.track(s, cmd, body)
	return s
}

// deploy runs out and expects success.
func (w *world) deploy(version string, extra map[string]any) run {
	r := w.out(w.request(version, extra))
	Expect(r.code).To(Equal(0), "out failed:\n%s", r.stderr)
	return r
}

// apps lists the space's app names and states, sorted.
func (w *world) apps() []string {
	apps, err := w.cf.Applications.ListAll(context.Background(), nil)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, a := range apps {
		out = append(out, a.Name+":"+a.State)
	}
	sort.Strings(out)
	return out
}

// routes lists the space's route URLs, sorted.
func (w *world) routes() []string {
	routes, err := w.cf.Routes.ListAll(context.Background(), nil)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, r := range routes {
		out = append(out, r.URL)
	}
	sort.Strings(out)
	return out
}

func (w *world) host() string { return appName + "." + w.info.Domain }

// serves reports what the load balancer answers for the app, n times.
func (w *world) serves(n int) map[string]int { return w.servesOn(w.host(), n) }

// servesOn reports what the load balancer answers for a host, n times.
func (w *world) servesOn(host string, n int) map[string]int {
	seen := map[string]int{}
	for i := 0; i < n; i++ {
		status, version, _ := hit(w.info.LBURL, host)
		seen[fmt.Sprintf("%d %s", status, version)]++
	}
	return seen
}

var httpc = &http.Client{Timeout: 3 * time.Second}

func hit(base, host string) (int, string, string) {
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Host = host
	resp, err := httpc.Do(req)
	if err != nil {
		return 0, "", err.Error()
	}
	defer resp.Body.Close()
	version := resp.Header.Get("X-App-Version")
	if resp.Header.Get("X-Maintenance") == "on" {
		version = "maintenance"
	}
	return resp.StatusCode, version, resp.Header.Get("X-Cf-Routererror")
}

// load sends requests through the load balancer every 5 ms until stopped (bounded at 20000
// requests and 5 minutes) and counts the failures: requests no app answered (a connection
// error, or a gorouter error page). An app's own answer, even a 500, is not a routing failure;
// versions counts the app's answers by version and status.
type load struct {
	mu       sync.Mutex
	sent     int
	failures []string
	versions map[string]int
	stop     chan struct{}
	done     chan struct{}
}

func (w *world) startLoad() *load { return w.startLoadOn(w.host()) }

// startLoadOn sends the load to another host of the foundation.
func (w *world) startLoadOn(host string) *load {
	l := &load{versions: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		end := time.Now().Add(5 * time.Minute)
		for i := 0; i < 20000 && time.Now().Before(end); i++ {
			select {
			case <-l.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			status, version, routerErr := hit(w.info.LBURL, host)
			l.mu.Lock()
			l.sent++
			if status == 0 || routerErr != "" || version == "" {
				l.failures = append(l.failures, fmt.Sprintf("%s %d %s", time.Now().Format("15:04:05.000"), status, routerErr))
			} else if status == http.StatusOK {
				l.versions[version]++
			} else {
				l.versions[fmt.Sprintf("%s (%d)", version, status)]++
			}
			l.mu.Unlock()
		}
	}()
	return l
}

// finish stops the load and returns the requests sent and the failures.
func (l *load) finish() (int, []string, map[string]int) {
	close(l.stop)
	<-l.done
	return l.sent, l.failures, l.versions
}

// expectNoFailures stops the load and asserts every request got the app's 200.
func (l *load) expectNoFailures() map[string]int {
	sent, failures, versions := l.finish()
	GinkgoWriter.Printf("load: %d requests, %d failed, versions %v\n", sent, len(failures), versions)
	Expect(sent).To(BeNumerically(">", 50), "the load generator ran")
	Expect(failures).To(BeEmpty())
	return versions
}

// waitServing waits until every router serves the app with version v.
func (w *world) waitServing(v string) {
	for _, r := range w.info.RouterURLs {
		Eventually(func() string { _, version, _ := hit(r, w.host()); return version }, 10*time.Second, 20*time.Millisecond).Should(Equal(v))
	}
}

// appView is what the specs look at of an app.
type appView struct {
	GUID     string
	Metadata *resource.Metadata
}
