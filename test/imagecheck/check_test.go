package main

import (
	"archive/tar"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the image check", func() {
	var static, ca []byte
	BeforeEach(func() {
		static = staticBinary()
		var err error
		ca, err = os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
		Expect(err).NotTo(HaveOccurred())
	})

	// shipped is the layout the Dockerfile builds; changes alter it.
	shipped := func(changes ...func([]entry) []entry) []entry {
		entries := []entry{
			{name: "etc/", typ: tar.TypeDir, mode: 0o755}, {name: "etc/ssl/", typ: tar.TypeDir, mode: 0o755},
			{name: "etc/ssl/certs/", typ: tar.TypeDir, mode: 0o755},
			{name: "etc/ssl/certs/ca-certificates.crt", typ: tar.TypeReg, mode: 0o644, data: ca},
			{name: "opt/", typ: tar.TypeDir, mode: 0o755}, {name: "opt/resource/", typ: tar.TypeDir, mode: 0o755},
			{name: "opt/resource/cf-bluegreen-resource", typ: tar.TypeReg, mode: 0o755, data: static},
			{name: "opt/resource/check", typ: tar.TypeSymlink, link: "cf-bluegreen-resource"},
			{name: "opt/resource/in", typ: tar.TypeSymlink, link: "cf-bluegreen-resource"},
			{name: "opt/resource/out", typ: tar.TypeSymlink, link: "/opt/resource/cf-bluegreen-resource"},
			{name: "opt/resource/responder", typ: tar.TypeReg, mode: 0o755, data: static},
			{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		}
		for _, change := range changes {
			entries = change(entries)
		}
		return entries
	}
	problems := func(env []string, entries []entry) []string {
		img, err := readArchive(writeArchive(env, entries...))
		Expect(err).NotTo(HaveOccurred())
		return img.check()
	}
	replace := func(name string, e entry) func([]entry) []entry {
		return func(entries []entry) []entry {
			for i := range entries {
				if entries[i].name == name {
					entries[i] = e
				}
			}
			return entries
		}
	}
	path := []string{"PATH=/opt/resource"}

	It("passes the shipped layout: static executables through links, the CA bundle and /tmp", func() {
		Expect(problems(path, shipped())).To(BeEmpty())
	})

	It("finds a dynamically linked executable", func() {
		dynamic, err := os.ReadFile("/bin/ls")
		Expect(err).NotTo(HaveOccurred())
		got := problems(path, shipped(replace("opt/resource/responder",
			entry{name: "opt/resource/responder", typ: tar.TypeReg, mode: 0o755, data: dynamic})))
		Expect(got).To(ConsistOf(ContainSubstring("/opt/resource/responder: opt/resource/responder is dynamically linked")))
	})

	It("finds a missing command, a link to nowhere and a file that is not executable", func() {
		got := problems(path, shipped(
			replace("opt/resource/check", entry{name: "opt/resource/check-me", typ: tar.TypeReg, mode: 0o755, data: static}),
			replace("opt/resource/in", entry{name: "opt/resource/in", typ: tar.TypeSymlink, link: "nowhere"}),
			replace("opt/resource/responder", entry{name: "opt/resource/responder", typ: tar.TypeReg, mode: 0o644, data: static}),
		))
		Expect(got).To(ConsistOf(
			"/opt/resource/check: missing",
			"/opt/resource/in: missing",
			ContainSubstring("/opt/resource/responder: opt/resource/responder is not executable"),
		))
	})

	It("finds a missing CA bundle, a missing /tmp, a wrong PATH and files the resource does not use", func() {
		got := problems([]string{"PATH=/usr/bin"}, shipped(
			replace("etc/ssl/certs/ca-certificates.crt", entry{name: "bin/sh", typ: tar.TypeReg, mode: 0o755, data: static}),
			replace("tmp/", entry{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644, data: []byte("root:x:0:0")}),
		))
		Expect(got).To(ConsistOf(
			"/etc/ssl/certs/ca-certificates.crt: missing or holds no certificate",
			"/tmp: missing (out stages files there)",
			"config env [PATH=/usr/bin]: want PATH=/opt/resource",
			"/bin/sh: not used by the resource",
			"/etc/passwd: not used by the resource",
		))
	})

	It("finds an image over 25 MB uncompressed", func() {
		big := make([]byte, 26_000_000)
		got := problems(path, shipped(func(entries []entry) []entry {
			return append(entries, entry{name: "opt/resource/data", typ: tar.TypeReg, mode: 0o644, data: big})
		}))
		Expect(got).To(ConsistOf(ContainSubstring("bytes uncompressed: more than 25000000")))
	})
})
