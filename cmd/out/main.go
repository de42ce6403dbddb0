// Command out is the resource's /opt/resource/out. The Concourse contract is not built yet:
// it fails clearly rather than pretending (see the README's status section).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "out: not implemented yet: this resource is under construction (see the README's status)")
	os.Exit(1)
}
