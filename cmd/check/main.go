// Command check is the resource's /opt/resource/check: it prints the versions that went live.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/resource"
)

func main() {
	if err := resource.Check(context.Background(), os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "\x1b[31merror: %v\x1b[0m\n", err)
		os.Exit(1)
	}
}
