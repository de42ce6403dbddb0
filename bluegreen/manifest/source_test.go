package manifest_test

import (
	"archive/zip"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

// writeArchive writes a small valid zip at path.
func writeArchive(path string) {
	GinkgoHelper()
	f, err := os.Create(path)
	Expect(err).NotTo(HaveOccurred())
	zw := zip.NewWriter(f)
	w, err := zw.Create("index.html")
	Expect(err).NotTo(HaveOccurred())
	_, err = w.Write([]byte("hello"))
	Expect(err).NotTo(HaveOccurred())
	Expect(zw.Close()).To(Succeed())
	Expect(f.Close()).To(Succeed())
}

var _ = Describe("ResolveSource", func() {
	var dir string

	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("zips a directory", func() {
		Expect(manifest.ResolveSource(dir)).To(Equal(manifest.Source{Path: dir}))
	})

	DescribeTable("sends .zip, .jar and .war files as they are",
		func(name string) {
			p := filepath.Join(dir, name)
			writeArchive(p)
			Expect(manifest.ResolveSource(p)).To(Equal(manifest.Source{Path: p, IsArchive: true}))
		},
		Entry("zip", "app.zip"), Entry("jar", "app.jar"), Entry("war", "app.war"), Entry("upper case", "APP.JAR"),
	)

	// The zip keeps every link as the cf CLI does; a folder the Cloud Controller would refuse
	// after the upload (a link target read from the app's root must stay in it) fails here.
	DescribeTable("refuses, before any upload, a folder whose links the Cloud Controller would refuse",
		func(link, target string) {
			writeFiles(dir, map[string]string{"a": "x", "lib/real.so": "x"})
			Expect(os.Symlink(target, filepath.Join(dir, link))).To(Succeed())
			_, err := manifest.ResolveSource(dir)
			Expect(err).To(MatchError(ContainSubstring("symlink " + link + " points outside the app folder (to " + target + ")")))
		},
		Entry("climbing out", "up", "../../etc/passwd"),
		Entry("absolute, even into the app folder", "abs", "/etc/ssl/certs"),
		Entry("climbing out when read from the root, as CC reads it", "lib/cur", "../lib/real.so"),
	)

	DescribeTable("accepts a folder whose links the Cloud Controller accepts",
		func(link, target string) {
			writeFiles(dir, map[string]string{"a": "x", "lib/real.so": "x"})
			Expect(os.Symlink(target, filepath.Join(dir, link))).To(Succeed())
			Expect(manifest.ResolveSource(dir)).To(Equal(manifest.Source{Path: dir}))
		},
		Entry("beside it", "link.so", "lib/real.so"),
		Entry("down and up again", "lib/again", "lib/../a"),
		Entry("dangling inside", "gone", "missing-file"),
	)

	It("accepts a link CC would refuse when .cfignore leaves it out", func() {
		writeFiles(dir, map[string]string{"a": "x", ".cfignore": "up\n"})
		Expect(os.Symlink("../../etc/passwd", filepath.Join(dir, "up"))).To(Succeed())
		Expect(manifest.ResolveSource(dir)).To(Equal(manifest.Source{Path: dir}))
	})

	It("refuses an archive that is not a zip, naming it", func() {
		p := filepath.Join(dir, "app.jar")
		Expect(os.WriteFile(p, []byte("not a zip"), 0o644)).To(Succeed())
		_, err := manifest.ResolveSource(p)
		Expect(err).To(MatchError(ContainSubstring("app path " + p + " is not a readable zip archive")))
	})

	It("refuses any other file, naming it", func() {
		p := filepath.Join(dir, "app.tgz")
		Expect(os.WriteFile(p, []byte("x"), 0o644)).To(Succeed())
		_, err := manifest.ResolveSource(p)
		Expect(err).To(MatchError("app path " + p + " is neither a directory nor a .zip, .jar or .war file"))
	})

	It("names a path that does not exist, and refuses an empty one", func() {
		p := filepath.Join(dir, "missing")
		_, err := manifest.ResolveSource(p)
		Expect(err).To(MatchError(ContainSubstring(p)))
		_, err = manifest.ResolveSource("")
		Expect(err).To(MatchError("app path is empty"))
	})

	It("reports the upload's size", func() {
		writeFiles(dir, map[string]string{"a.txt": "12345", "sub/b.txt": "123", ".git/HEAD": "ignored"})
		Expect(manifest.Size(manifest.Source{Path: dir})).To(Equal(int64(8)))
		p := filepath.Join(GinkgoT().TempDir(), "app.zip")
		writeArchive(p)
		info, err := os.Stat(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(manifest.Size(manifest.Source{Path: p, IsArchive: true})).To(Equal(info.Size()))
	})
})
