// Command imagecheck checks the resource's image as built (an OCI archive): its size, that
// check, in, out and the responder are static executables at /opt/resource, that it holds a
// CA bundle and /tmp, and nothing else. `make image` runs it on build/image.tar.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: imagecheck <oci-archive.tar>")
		os.Exit(2)
	}
	img, err := readArchive(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "imagecheck:", err)
		os.Exit(1)
	}
	problems := img.check()
	fmt.Printf("image %s: %.1f MB uncompressed in %d layer(s), %d files\n",
		os.Args[1], float64(img.size)/1e6, img.layers, len(img.files))
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "imagecheck:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Println("imagecheck: static check, in, out and responder at /opt/resource; CA bundle; nothing else")
}
