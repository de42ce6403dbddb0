// Command cf-bluegreen-resource is check, in and out in one static binary: the image links
// /opt/resource/{check,in,out} to it, and it runs the command it is called as. One binary
// instead of three keeps the image a third of the size.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/cmd/internal/entry"
)

func main() {
	name := filepath.Base(os.Args[0])
	command, ok := entry.Lookup(name)
	if !ok {
		fmt.Fprintf(os.Stderr, "cf-bluegreen-resource: run me as check, in or out (a link named so), not as %q\n", name)
		os.Exit(2)
	}
	os.Exit(command(os.Args))
}
