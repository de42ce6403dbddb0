// Command versioned is a tiny HTTP app that the simulated foundation runs as a real process, as a
// binary-buildpack app would run on Cloud Foundry. It answers "version=$VERSION" on every path
// and can be told by environment variables to fail in the ways deploys must survive:
//
//	PORT         port to listen on (required, set by the runner)
//	BIND_HOST    address to bind, default 127.0.0.1
//	VERSION      reported in the body and in X-App-Version, default "unknown"
//	CRASH        "start": exit 1 at once
//	CRASH_AFTER  a duration: serve, then exit 1 after it
//	HEALTH       "fail": /health answers 500
//	STATUS       an HTTP status every path except /health answers with
//	START_DELAY  a duration to wait before listening
//	ERROR_RATE   a fraction from 0 to 1 of the requests STATUS applies to answered 500 instead,
//	             evenly: 0.05 fails the 20th, 40th, ...
//	LATENCY      a duration added to every request STATUS applies to
//
// GET /env/VCAP_SERVICES and /env/VCAP_APPLICATION answer those variables as the instance was
// started with them (404 when unset). On any other path but /health, ?status=CODE answers that
// status instead of STATUS and ?delay=D (at most 1m) waits D before answering, so a request
// decides what the routers measure of it. Every answer names the version, the instance and its
// process (X-App-Version, X-Instance-Index, X-Instance-Guid, X-Process-Guid).
//
// An invalid value makes it exit 1 with a message on stderr. SIGTERM shuts it down within 1 s.
//
// Run as `versioned worker` (a Procfile's worker: line) it is a worker process instead: it listens
// on nothing, logs a heartbeat every second, and WORKER_CRASH ("start", or a duration) makes it
// exit 2, at once or after that long. Run as `versioned migrate [--sleep D] [--exit N]` (a task)
// it says which version it migrates to and which services it is bound to, waits D, exits N.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const shutdownTimeout = time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	app := run
	switch {
	case len(os.Args) > 1 && os.Args[1] == "worker":
		app = runWorker
	case len(os.Args) > 1 && os.Args[1] == "migrate":
		app = func(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
			return runMigrate(ctx, os.Args[2:], getenv, stdout, stderr)
		}
	}
	code := app(ctx, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run starts the app and returns its exit code once ctx is cancelled (a clean stop) or it crashes.
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	c, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "versioned: invalid environment: %v\n", err)
		return 1
	}
	if c.crashAtStart {
		fmt.Fprintln(stderr, "versioned: crashing at start because CRASH=start")
		return 1
	}
	if !sleep(ctx, c.startDelay) {
		return 0 // stopped while still starting
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(c.bindHost, c.port))
	if err != nil {
		fmt.Fprintf(stderr, "versioned: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "versioned: version=%s listening on %s (instance index %q, guid %q)\n",
		c.version, ln.Addr(), c.instanceIndex, c.instanceGUID)
	return serve(ctx, ln, c, stdout, stderr)
}

// sleep waits for d and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func serve(ctx context.Context, ln net.Listener, c config, stdout, stderr io.Writer) int {
	srv := &http.Server{Handler: newHandler(c), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var crash <-chan time.Time
	if c.crashAfter > 0 {
		t := time.NewTimer(c.crashAfter)
		defer t.Stop()
		crash = t.C
	}
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "versioned: serve: %v\n", err)
		return 1
	case <-crash:
		fmt.Fprintf(stderr, "versioned: crashing because CRASH_AFTER=%s has passed\n", c.crashAfter)
		return 1
	case <-ctx.Done():
	}
	return shutdown(srv, stdout, stderr)
}

// shutdown finishes in-flight requests for up to a second, then drops whatever is left.
func shutdown(srv *http.Server, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	fmt.Fprintln(stdout, "versioned: stopping")
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "versioned: shutdown: %v\n", err)
		return 1
	}
	return 0
}
