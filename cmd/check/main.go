// Command check is the resource's /opt/resource/check: it prints the versions that went live.
package main

import (
	"os"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/cmd/internal/entry"
)

func main() { os.Exit(entry.Check(os.Args)) }
