package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// runWorker is the app as a worker process: no port, a heartbeat on stdout every second, and the
// crash WORKER_CRASH asks for. The web process of the same app ignores WORKER_CRASH, so a deploy
// can have a healthy web process and a crashing worker.
func runWorker(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	version := orDefault(getenv("VERSION"), "unknown")
	crash := getenv("WORKER_CRASH")
	var after time.Duration
	if crash != "" && crash != "start" {
		var err error
		if after, err = parseDuration("WORKER_CRASH", crash, true); err != nil {
			fmt.Fprintf(stderr, "versioned worker: invalid environment: %v (or \"start\")\n", err)
			return 1
		}
	}
	if crash == "start" {
		fmt.Fprintln(stderr, "versioned worker: crashing at start because WORKER_CRASH=start")
		return 2
	}
	fmt.Fprintf(stdout, "versioned worker: version=%s working\n", version)
	return heartbeat(ctx, after, version, stdout, stderr)
}

func heartbeat(ctx context.Context, crashAfter time.Duration, version string, stdout, stderr io.Writer) int {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var crash <-chan time.Time
	if crashAfter > 0 {
		crash = time.After(crashAfter)
	}
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stdout, "versioned worker: stopping")
			return 0
		case <-crash:
			fmt.Fprintf(stderr, "versioned worker: crashing because WORKER_CRASH=%s has passed\n", crashAfter)
			return 2
		case <-tick.C:
			fmt.Fprintf(stdout, "versioned worker: version=%s still working\n", version)
		}
	}
}
