// Command out is the resource's /opt/resource/out: it deploys, verifies through the routers
// and prints {version, metadata}. SIGTERM or SIGINT (an aborted build) stops it at the next
// safe point.
package main

import (
	"os"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/cmd/internal/entry"
)

func main() { os.Exit(entry.Out(os.Args)) }
