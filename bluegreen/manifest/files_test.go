package manifest_test

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // what CC's resource pool uses
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

var _ = Describe("Files and WriteZipExcept (resource matching)", func() {
	var dir string
	big := strings.Repeat("x", 70_000)

	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		writeFiles(dir, map[string]string{
			".cfignore":       "*.log\n",
			"Procfile":        "web: ./app\n",
			"lib/big.jar":     big,
			"lib/small.txt":   "small",
			"debug.log":       big,
			"static/big.css":  big + "y",
			"static/tiny.css": "a{}",
		})
		Expect(os.Symlink("big.jar", filepath.Join(dir, "lib", "link.jar"))).To(Succeed())
	})

	sha := func(s string) string {
		sum := sha1.Sum([]byte(s)) //nolint:gosec // see the import
		return hex.EncodeToString(sum[:])
	}

	It("lists every file and link in zip order, hashing only files of at least minSize", func() {
		files, err := manifest.Files(manifest.Source{Path: dir}, 65536)
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, f := range files {
			names = append(names, f.Path)
		}
		Expect(names).To(Equal([]string{"Procfile", "lib/big.jar", "lib/link.jar", "lib/small.txt", "static/big.css", "static/tiny.css"}))
		byName := map[string]manifest.File{}
		for _, f := range files {
			byName[f.Path] = f
		}
		Expect(byName["lib/big.jar"].SHA1).To(Equal(sha(big)))
		Expect(byName["lib/big.jar"].Size).To(BeEquivalentTo(70_000))
		Expect(byName["lib/big.jar"].Mode.IsRegular()).To(BeTrue())
		Expect(byName["static/big.css"].SHA1).To(Equal(sha(big + "y")))
		Expect(byName["lib/small.txt"].SHA1).To(BeEmpty(), "small files are not worth matching")
		Expect(byName["lib/link.jar"].SHA1).To(BeEmpty(), "links travel in the zip")
		Expect(byName["lib/link.jar"].Mode.IsRegular()).To(BeFalse())
	})

	It("lists nothing for an archive, which is sent as is", func() {
		files, err := manifest.Files(manifest.Source{Path: "app.jar", IsArchive: true}, 65536)
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(BeEmpty())
	})

	It("zips everything but the skipped files, folders included", func() {
		var buf bytes.Buffer
		skip := func(p string) bool { return p == "lib/big.jar" || p == "static/big.css" }
		Expect(manifest.WriteZipExcept(&buf, manifest.Source{Path: dir}, skip)).To(Succeed())
		Expect(entryNames(buf.Bytes())).To(Equal([]string{"Procfile", "lib/", "lib/link.jar", "lib/small.txt", "static/", "static/tiny.css"}))
	})

	It("zips exactly what WriteZip does when nothing is skipped", func() {
		var buf bytes.Buffer
		Expect(manifest.WriteZipExcept(&buf, manifest.Source{Path: dir}, func(string) bool { return false })).To(Succeed())
		Expect(entryNames(buf.Bytes())).To(Equal(entryNames(zipOf(dir))))
	})

	It("still refuses a folder with no app files, skipped ones counting as app files", func() {
		empty := GinkgoT().TempDir()
		Expect(manifest.WriteZipExcept(&bytes.Buffer{}, manifest.Source{Path: empty}, nil)).To(MatchError(ContainSubstring("no app files found")))
		var buf bytes.Buffer
		Expect(manifest.WriteZipExcept(&buf, manifest.Source{Path: dir}, func(string) bool { return true })).To(Succeed())
	})
})
