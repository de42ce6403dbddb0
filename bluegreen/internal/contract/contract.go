// Package contract is the Cloud Controller port's contract: the behaviour of CC the engine
// relies on, written once as Ginkgo specs and run against both implementations of the port,
// the fake foundation of the unit suites (bluegreen/internal/fakecf) and the real port
// (bluegreen/cf) on the simulated foundation. A fake that drifts from the real thing fails here,
// not in a deploy.
package contract

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// Port is every role the flows ask of the Cloud Controller.
type Port interface {
	bluegreen.Platform
	bluegreen.Quotas
	bluegreen.Deployments
	bluegreen.AllProcesses
	bluegreen.Services
	bluegreen.Networking
	bluegreen.Logs
	bluegreen.Tasks
	bluegreen.Metrics
}

// Foundation is one implementation under test, set up for one spec.
type Foundation struct {
	Port       Port
	Org, Space string
	// Bits is an app that runs and serves HTTP (the real port stages and starts it).
	Bits func(io.Writer) error
	// DockerImage is an image reference the foundation can pull and run, serving HTTP.
	DockerImage string
	// Patience bounds every wait for the foundation to converge (instances running, a cancel
	// finishing); the fake converges at once.
	Patience time.Duration

	// What the port cannot do itself, for the specs that need it.

	// CreateUserProvidedService makes a user-provided service instance in the space (as cf
	// create-user-provided-service does) and returns its guid.
	CreateUserProvidedService func(name string, credentials map[string]any) string
	// CreateManagedService makes a managed service instance in the space (as cf create-service
	// --wait does) and returns its guid once it exists; async picks an offering whose broker
	// binds asynchronously.
	CreateManagedService func(name string, async bool) string
	// AppLogs makes Log Cache hold these lines for the app, as if its instances had written
	// them. Nil where the app's instances write their own: the suite's app, started, writes
	// "version=<VERSION> listening on ..." to stdout, and "stopping" when stopped.
	AppLogs func(appGUID string, lines []platform.LogLine)
	// Request sends one request to the route URL (host.domain) through the routers, as a user
	// would, asking the suite's app to answer with status after delay, and returns the web
	// process that answered, once the routers' http timer of it is in Log Cache. The real port's
	// world sends it to a running instance; the fake's routes it as the routers would and
	// records what they would have measured (fakecf.Request).
	Request func(routeURL string, status int, delay time.Duration) (processGUID string)
}

// app is the manifest of one app with routes and env.
func app(name string, instances int, routes []string, env map[string]string) []byte {
	doc := fmt.Sprintf("applications:\n- name: %s\n  instances: %d\n  memory: 64M\n", name, instances)
	if len(routes) == 0 {
		doc += "  no-route: true\n"
	} else {
		doc += "  routes:\n"
		for _, r := range routes {
			doc += "  - route: " + r + "\n"
		}
	}
	if len(env) > 0 {
		doc += "  env:\n"
		for k, v := range env {
			doc += fmt.Sprintf("    %s: %q\n", k, v)
		}
	}
	return []byte(doc)
}

// eventually polls check until it passes or patience runs out.
func eventually(ctx context.Context, patience time.Duration, check func() error) error {
	deadline := time.Now().Add(patience)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		if err := poll.Sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

// allRunning is nil once want instances run.
func allRunning(insts []platform.Instance, want int) error {
	n := 0
	for _, in := range insts {
		if in.State == platform.InstanceRunning {
			n++
		}
	}
	if n < want {
		return fmt.Errorf("%d of %d instances running: %v", n, want, insts)
	}
	return nil
}
