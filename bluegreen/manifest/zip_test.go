package manifest_test

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
)

var _ = Describe("WriteZip", func() {
	var dir string

	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("honours .cfignore: globs, anchors, folders, ** and negation", func() {
		writeFiles(dir, map[string]string{
			".cfignore":                    "# a comment\n\n*.log\n!keep.log\nbuild/\n/root-only.txt\ndocs/**/*.md\ntmp/**\n!tmp/keep\nsecret\n\\#hash\nvendor/*.tmp  \n",
			"app.go":                       "package main",
			"debug.log":                    "x",
			"sub/trace.log":                "x",
			"keep.log":                     "x",
			"build/out.bin":                "x",
			"sub/build":                    "a file named build is not a folder",
			"root-only.txt":                "x",
			"sub/root-only.txt":            "x",
			"docs/guide.md":                "x",
			"docs/a/b/deep.md":             "x",
			"docs/readme.txt":              "x",
			"tmp/cache/x":                  "x",
			"tmp/keep":                     "x",
			"secret/key.pem":               "x",
			"sub/secret":                   "x",
			"#hash":                        "x",
			"vendor/x.tmp":                 "x",
			"vendor/lib/y.tmp":             "x",
			"# a comment":                  "not ignored: comments are not patterns",
			"sub/nested/keep-me/file.conf": "x",
		})
		Expect(entryNames(zipOf(dir))).To(Equal([]string{
			"# a comment",
			"app.go",
			"docs/",
			"docs/a/",
			"docs/a/b/",
			"docs/readme.txt",
			"keep.log",
			"sub/",
			"sub/build",
			"sub/nested/",
			"sub/nested/keep-me/",
			"sub/nested/keep-me/file.conf",
			"sub/root-only.txt",
			"tmp/",
			"tmp/keep",
			"vendor/",
			"vendor/lib/",
			"vendor/lib/y.tmp",
		}))
	})

	It("cannot re-include a file from an excluded folder, as in git", func() {
		writeFiles(dir, map[string]string{".cfignore": "out/\n!out/keep\n", "out/keep": "x", "main": "x"})
		Expect(entryNames(zipOf(dir))).To(Equal([]string{"main"}))
	})

	It("leaves out what the cf CLI always leaves out, whatever .cfignore says", func() {
		writeFiles(dir, map[string]string{
			".cfignore":         "!.git\n!.gitignore\n",
			".git/HEAD":         "x",
			".gitignore":        "x",
			".hg/x":             "x",
			"sub/.svn/entries":  "x",
			"_darcs/x":          "x",
			".DS_Store":         "x",
			"sub/.DS_Store":     "x",
			"manifest.yml":      "x",
			"sub/manifest.yml":  "a nested manifest is app data",
			"sub/.cfignore":     "x",
			"index.html":        "x",
			".profile":          "dotfiles are uploaded",
			"manifest-prod.yml": "x",
		})
		Expect(entryNames(zipOf(dir))).To(Equal([]string{".profile", "index.html", "manifest-prod.yml", "sub/", "sub/manifest.yml"}))
	})

	It("keeps contents and modes", func() {
		writeFiles(dir, map[string]string{"bin/run": "#!/bin/sh\necho hi\n", "data.txt": "data"})
		Expect(os.Chmod(filepath.Join(dir, "bin", "run"), 0o755)).To(Succeed())
		Expect(os.Chmod(filepath.Join(dir, "data.txt"), 0o600)).To(Succeed())
		modes := map[string]fs.FileMode{}
		for _, f := range readZip(zipOf(dir)).File {
			modes[f.Name] = f.Mode()
			if f.Name == "bin/run" {
				rc, err := f.Open()
				Expect(err).NotTo(HaveOccurred())
				Expect(io.ReadAll(rc)).To(Equal([]byte("#!/bin/sh\necho hi\n")))
			}
		}
		Expect(modes).To(Equal(map[string]fs.FileMode{
			"bin/":     fs.ModeDir | 0o755,
			"bin/run":  0o755,
			"data.txt": 0o600,
		}))
	})

	It("writes the same bytes in the same order every time", func() {
		files := map[string]string{}
		for _, name := range []string{"b", "a", "c/z", "c/a", "a.txt", "A", "c.d/x"} {
			files[name] = name
		}
		writeFiles(dir, files)
		first := zipOf(dir)
		Expect(zipOf(dir)).To(Equal(first))
		Expect(entryNames(first)).To(Equal([]string{"A", "a", "a.txt", "b", "c/", "c/a", "c/z", "c.d/", "c.d/x"}))
	})

	// As the cf CLI does (actor/sharedaction GatherDirectoryResources and
	// addLinkToZipFromFileSystem): every link is one entry holding its target as written.
	Describe("symlinks", func() {
		links := func(zipped []byte) map[string]string {
			GinkgoHelper()
			out := map[string]string{}
			for _, f := range readZip(zipped).File {
				if f.Mode()&fs.ModeSymlink != 0 {
					rc, err := f.Open()
					Expect(err).NotTo(HaveOccurred())
					target, err := io.ReadAll(rc)
					Expect(err).NotTo(HaveOccurred())
					out[f.Name] = string(target)
				}
			}
			return out
		}

		It("stores a link inside the app folder as a link", func() {
			writeFiles(dir, map[string]string{"lib/real.so": "x", "current/app": "y"})
			Expect(os.Symlink("real.so", filepath.Join(dir, "lib", "link.so"))).To(Succeed())
			Expect(os.Symlink("../current", filepath.Join(dir, "lib", "cur"))).To(Succeed())
			Expect(links(zipOf(dir))).To(Equal(map[string]string{"lib/link.so": "real.so", "lib/cur": "../current"}))
		})

		It("stores a link that leaves the app folder as a link, never what it points at", func() {
			outside := GinkgoT().TempDir()
			writeFiles(outside, map[string]string{"secret.txt": "not for upload", "dir/inner.txt": "nor this"})
			writeFiles(dir, map[string]string{"a": "x"})
			Expect(os.Symlink("../../etc/passwd", filepath.Join(dir, "up"))).To(Succeed())
			Expect(os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "abs"))).To(Succeed())
			Expect(os.Symlink(filepath.Join(outside, "dir"), filepath.Join(dir, "folder"))).To(Succeed())
			zipped := zipOf(dir)
			Expect(links(zipped)).To(Equal(map[string]string{"up": "../../etc/passwd",
				"abs": filepath.Join(outside, "secret.txt"), "folder": filepath.Join(outside, "dir")}))
			Expect(entryNames(zipped)).To(Equal([]string{"a", "abs", "folder", "up"}), "a linked folder is not descended")
			Expect(string(zipped)).NotTo(ContainSubstring("not for upload"))
		})

		It("stores a dangling link, and leaves out one .cfignore names", func() {
			writeFiles(dir, map[string]string{"a": "x", ".cfignore": "skipped\n"})
			Expect(os.Symlink("nowhere", filepath.Join(dir, "dangling"))).To(Succeed())
			Expect(os.Symlink("a", filepath.Join(dir, "skipped"))).To(Succeed())
			Expect(links(zipOf(dir))).To(Equal(map[string]string{"dangling": "nowhere"}))
		})

		It("follows a link that is the app folder itself", func() {
			writeFiles(dir, map[string]string{"real/index.html": "x"})
			link := filepath.Join(dir, "app")
			Expect(os.Symlink(filepath.Join(dir, "real"), link)).To(Succeed())
			Expect(entryNames(zipOf(link))).To(Equal([]string{"index.html"}))
		})
	})

	It("refuses a folder with nothing to upload, naming it", func() {
		writeFiles(dir, map[string]string{".git/HEAD": "x", "empty/.DS_Store": "x"})
		err := manifest.WriteZip(io.Discard, manifest.Source{Path: dir})
		Expect(err).To(MatchError("no app files found in " + dir + " (after .cfignore and the default exclusions)"))
	})

	It("names a .cfignore with a bad pattern", func() {
		writeFiles(dir, map[string]string{".cfignore": "ok\n[z-a\n", "a": "x"})
		err := manifest.WriteZip(io.Discard, manifest.Source{Path: dir})
		Expect(err).To(MatchError(ContainSubstring(filepath.Join(dir, ".cfignore") + " line 2: bad pattern")))
	})

	It("copies an archive byte for byte", func() {
		p := filepath.Join(dir, "app.jar")
		writeArchive(p)
		want, err := os.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		var buf bytes.Buffer
		Expect(manifest.WriteZip(&buf, manifest.Source{Path: p, IsArchive: true})).To(Succeed())
		Expect(buf.Bytes()).To(Equal(want))
	})
})
