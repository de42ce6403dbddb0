package manifest_test

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

// heapWatcher counts the bytes read through it and records the highest heap in use seen
// while reading, sampled every few megabytes.
type heapWatcher struct {
	r        io.Reader
	n, next  int64
	peakHeap uint64
}

func (h *heapWatcher) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	if h.n >= h.next {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.peakHeap = max(h.peakHeap, ms.HeapInuse)
		h.next = h.n + 4<<20
	}
	return n, err
}

var _ = Describe("WriteZip streaming", func() {
	It("zips a 50 MB tree into a pipe without holding it in memory", func() {
		dir := GinkgoT().TempDir()
		rng := rand.NewChaCha8([32]byte{1})
		chunk := make([]byte, 1<<20)
		for i := range 50 {
			_, _ = rng.Read(chunk) // random bytes do not compress: the zip is as big as the tree
			p := filepath.Join(dir, "d"+string(rune('a'+i%5)), "f"+string(rune('a'+i/5))+".bin")
			Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
			Expect(os.WriteFile(p, chunk, 0o644)).To(Succeed())
		}
		chunk = nil

		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)

		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(manifest.WriteZip(pw, manifest.Source{Path: dir})) }()
		w := &heapWatcher{r: pr}
		Expect(io.Copy(io.Discard, w)).To(BeNumerically(">", 50<<20))

		growth := int64(w.peakHeap) - int64(before.HeapInuse)
		GinkgoWriter.Printf("read %d bytes; heap in use grew by at most %d bytes\n", w.n, growth)
		Expect(growth).To(BeNumerically("<", 20<<20), "heap grew by %d bytes", growth)
	})
})
