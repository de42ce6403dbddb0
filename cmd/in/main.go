// Command in is the resource's /opt/resource/in. The Concourse contract is not built yet:
// it fails clearly rather than pretending (see the README's status section).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "in: not implemented yet: this resource is under construction (see the README's status)")
	os.Exit(1)
}
