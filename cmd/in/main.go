// Command in is the resource's /opt/resource/in: it writes a release's deployed state (and, on
// request, its droplet) into the destination folder.
package main

import (
	"os"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/cmd/internal/entry"
)

func main() { os.Exit(entry.In(os.Args)) }
