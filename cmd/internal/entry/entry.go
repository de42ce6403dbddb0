// Package entry holds the bodies of the resource's commands. Each command's own main calls
// one of them, and so does the multi-call binary the image ships, which keeps the image
// small: check, in and out share one static binary there.
package entry

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/resource"
)

// Command is a command's body: it takes the process's arguments and returns its exit code.
type Command func(args []string) int

// Lookup finds a command by the name it is run as (/opt/resource/check runs "check").
func Lookup(name string) (Command, bool) {
	switch name {
	case "check":
		return Check, true
	case "in":
		return In, true
	case "out":
		return Out, true
	}
	return nil, false
}

// Check prints the versions that went live.
func Check(_ []string) int {
	return exit(os.Stderr, resource.Check(context.Background(), os.Stdin, os.Stdout, os.Stderr))
}

// In writes a release's deployed state (and, on request, its droplet) into the destination
// folder given as the first argument.
func In(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: in <destination folder> < request.json")
		return 2
	}
	return exit(os.Stderr, resource.In(context.Background(), os.Stdin, args[1], os.Stdout, os.Stderr))
}

// Out deploys the inputs folder given as the first argument. SIGTERM or SIGINT (an aborted
// build) cancels its context, which stops it at the next safe point.
func Out(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: out <inputs folder> < request.json")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return exit(os.Stderr, resource.Out(ctx, os.Stdin, args[1], os.Getenv, os.Stdout, os.Stderr))
}

// exit prints err as the build log's last, red line and turns it into an exit code.
func exit(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "\x1b[31merror: %v\x1b[0m\n", err)
	return 1
}
