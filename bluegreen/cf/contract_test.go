package cf_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/internal/contract"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// The real port, on the simulated foundation, keeps the contract the fake foundation of the
// engine's unit suites is held to (bluegreen/internal/fakecf).
// The suite's app writes its own log lines, so AppLogs is left nil.
var _ = contract.Specs("the Cloud Controller port on cfsim", func() contract.Foundation {
	ctx := context.Background()
	// The image stands for the folder the suite built the app in: cfsim runs its one executable.
	images := map[string]string{dockerImage: filepath.Dir(appZip)}
	sim, err := cfsim.Start(cfsim.Config{Routers: 1, DeploymentInterval: 100 * time.Millisecond,
		StagingTime: 10 * time.Millisecond, ServiceOperationTime: 300 * time.Millisecond, DockerImages: images})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(sim.Close)
	info := sim.Info()
	port, err := cf.Connect(ctx, cf.Config{API: info.APIURL, Username: info.Username, Password: info.Password})
	Expect(err).NotTo(HaveOccurred())
	look, err := cfpush.Login(info.APIURL, info.Username, info.Password)
	Expect(err).NotTo(HaveOccurred())
	space, err := port.Space(ctx, info.Org, info.Space)
	Expect(err).NotTo(HaveOccurred())
	return contract.Foundation{Port: port, Org: info.Org, Space: info.Space, Bits: versionedZip, DockerImage: dockerImage,
		Patience: 20 * time.Second,
		CreateUserProvidedService: func(name string, credentials map[string]any) string {
			return createUserProvided(ctx, look, space.GUID, name, credentials)
		},
		CreateManagedService: func(name string, async bool) string {
			return createManaged(ctx, look, space.GUID, name, async)
		},
		Request: func(routeURL string, status int, delay time.Duration) string {
			return routed(sim, routeURL, status, delay)
		},
	}
})

// routed sends GET / to the route through cfsim's load balancer, asking the suite's app for
// the status after delay (?status=, ?delay=). It sends again while the routers do not know the
// route yet (404 unknown_route, which reaches no app), then waits until Log Cache holds the
// request: the router records its access line and its http timer together, once it has
// answered. It returns the process that answered (X-Process-Guid).
func routed(sim *cfsim.Sim, routeURL string, status int, delay time.Duration) string {
	u := sim.Info().LBURL + "/?" + url.Values{"status": {strconv.Itoa(status)}, "delay": {delay.String()}}.Encode()
	var resp *http.Response
	Eventually(func() (string, error) {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return "", err
		}
		req.Host = routeURL
		if resp, err = http.DefaultClient.Do(req); err != nil {
			return "", err
		}
		resp.Body.Close()
		return resp.Header.Get("X-Cf-Routererror"), nil
	}, 20*time.Second, 50*time.Millisecond).ShouldNot(Equal("unknown_route"))
	Expect(resp.StatusCode).To(Equal(status), "X-Cf-Routererror: %s", resp.Header.Get("X-Cf-Routererror"))
	answer, id := resp.Header, resp.Header.Get("X-Vcap-Request-Id")
	Eventually(func() bool {
		for _, l := range sim.RecentLogs(answer.Get("X-Served-By-App")) {
			if strings.HasPrefix(l.Source, "RTR/") && strings.Contains(l.Message, id) {
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond).Should(BeTrue(), "the router's record of request %s", id)
	return answer.Get("X-Process-Guid")
}

// dockerImage is the image cfsim serves from the folder holding the suite's app.
const dockerImage = "registry.example.com/team/versioned:v1"

// versionedZip streams the suite's app.
func versionedZip(w io.Writer) error {
	f, err := os.Open(appZip)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
