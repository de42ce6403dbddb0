// Command out is the resource's /opt/resource/out: it deploys, verifies through the routers
// and prints {version, metadata}. SIGTERM or SIGINT (an aborted build) stops it at the next
// safe point.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/resource"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: out <inputs folder> < request.json")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	err := resource.Out(ctx, os.Stdin, os.Args[1], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\x1b[31merror: %v\x1b[0m\n", err)
		os.Exit(1)
	}
}
