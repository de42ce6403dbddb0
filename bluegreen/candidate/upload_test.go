package candidate_test

import (
	"bytes"
	"fmt"
	"io"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// folder is an app folder of named files, each "zipped" as its name on a line.
func folder(files map[string]int64) *platform.AppFiles {
	return &platform.AppFiles{
		List: func() ([]platform.Resource, error) {
			var list []platform.Resource
			for p, size := range files {
				list = append(list, platform.Resource{Path: p, Size: size, Mode: 0o644, SHA1: "sha-of-" + p})
			}
			return list, nil
		},
		Write: func(w io.Writer, cached func(string) bool) error {
			for _, p := range []string{"Procfile", "lib/app.jar", "lib/dep.jar"} {
				if _, ok := files[p]; ok && !cached(p) {
					if _, err := fmt.Fprintln(w, p); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}

var _ = Describe("uploading an app folder", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.seedLive(2, liveURL)
		w.plan.Bits.Files = folder(map[string]int64{"Procfile": 20, "lib/app.jar": 4e6, "lib/dep.jar": 9e6})
	})

	// deploy runs the engine with the resource pool holding the given SHA-1s.
	deploy := func(held ...string) (bluegreen.Result, error) {
		for _, sha := range held {
			w.cf.Held[sha] = true
		}
		return w.deploy()
	}

	It("sends only the files the Cloud Controller does not hold, and says what matching saved", func() {
		res, err := deploy("sha-of-lib/dep.jar")
		Expect(err).NotTo(HaveOccurred())
		Expect(string(w.cf.Bits[res.AppGUID])).To(Equal("Procfile\nlib/app.jar\n"))
		Expect(w.out.String()).To(ContainSubstring("resource matching: 1 of 3 files (9.0 MB of 13.0 MB) already on the platform, not uploaded"))
	})

	It("sends every file when the pool holds none, and says nothing about matching", func() {
		res, err := deploy()
		Expect(err).NotTo(HaveOccurred())
		Expect(string(w.cf.Bits[res.AppGUID])).To(Equal("Procfile\nlib/app.jar\nlib/dep.jar\n"))
		Expect(w.out.String()).NotTo(ContainSubstring("resource matching"))
	})

	It("sends the plan's bits as they are when the app is an archive", func() {
		w.plan.Bits.Files = nil
		res, err := deploy("sha-of-lib/dep.jar")
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.Bits[res.AppGUID]).To(Equal(theBits))
	})

	It("fails the deploy, leaving the live app alone, when listing the files fails", func() {
		w.plan.Bits.Files.List = func() ([]platform.Resource, error) { return nil, fmt.Errorf("hashing lib/dep.jar: disk on fire") }
		_, err := deploy()
		Expect(err).To(MatchError(ContainSubstring("disk on fire")))
		Expect(bytes.Contains(w.out.Bytes(), []byte("disk on fire"))).To(BeTrue())
		Expect(w.cf.AppNamed(appName)).NotTo(BeNil())
	})
})
