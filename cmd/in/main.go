// Command in is the resource's /opt/resource/in: it writes a release's deployed state (and, on
// request, its droplet) into the destination folder.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/resource"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: in <destination folder> < request.json")
		os.Exit(2)
	}
	if err := resource.In(context.Background(), os.Stdin, os.Args[1], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "\x1b[31merror: %v\x1b[0m\n", err)
		os.Exit(1)
	}
}
