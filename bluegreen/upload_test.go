package bluegreen_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// UploadFiles takes an app folder into a pool that holds nothing: every file is zipped.
func (f *fakePlatform) UploadFiles(ctx context.Context, appGUID string, files cf.AppFiles) (string, cf.UploadStats, error) {
	return f.uploadHeld(ctx, appGUID, files, nil)
}

// uploadHeld is an upload through resource matching: files whose SHA-1 is held are counted
// as matched and left out of the zip the fake keeps as the app's bits.
func (f *fakePlatform) uploadHeld(ctx context.Context, appGUID string, files cf.AppFiles, held map[string]bool) (string, cf.UploadStats, error) {
	var st cf.UploadStats
	list, err := files.List()
	if err != nil {
		return "", st, err
	}
	matched := map[string]bool{}
	for _, r := range list {
		st.Files++
		st.Bytes += r.Size
		if held[r.SHA1] {
			st.Matched++
			st.MatchedBytes += r.Size
			matched[r.Path] = true
		}
	}
	pkg, err := f.Upload(ctx, appGUID, func(w io.Writer) error { return files.Write(w, func(p string) bool { return matched[p] }) })
	return pkg, st, err
}

// matchingPlatform is the fake foundation with a resource pool holding some SHA-1s.
type matchingPlatform struct {
	*fakePlatform
	held map[string]bool
}

func (m matchingPlatform) UploadFiles(ctx context.Context, appGUID string, files cf.AppFiles) (string, cf.UploadStats, error) {
	return m.uploadHeld(ctx, appGUID, files, m.held)
}

// folder is an app folder of named files, each "zipped" as its name on a line.
func folder(files map[string]int64) *cf.AppFiles {
	return &cf.AppFiles{
		List: func() ([]cf.Resource, error) {
			var list []cf.Resource
			for p, size := range files {
				list = append(list, cf.Resource{Path: p, Size: size, Mode: 0o644, SHA1: "sha-of-" + p})
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
		w.plan.Files = folder(map[string]int64{"Procfile": 20, "lib/app.jar": 4e6, "lib/dep.jar": 9e6})
	})

	deploy := func(p bluegreen.Platform) (bluegreen.Result, error) {
		w.tl = bluegreen.NewTimeline(w.out)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return bluegreen.Deploy(ctx, p, w.pr, w.plan, w.tl)
	}

	It("sends only the files the Cloud Controller does not hold, and says what matching saved", func() {
		res, err := deploy(matchingPlatform{w.cf, map[string]bool{"sha-of-lib/dep.jar": true}})
		Expect(err).NotTo(HaveOccurred())
		Expect(string(w.cf.Bits[res.AppGUID])).To(Equal("Procfile\nlib/app.jar\n"))
		Expect(w.out.String()).To(ContainSubstring("resource matching: 1 of 3 files (9.0 MB of 13.0 MB) already on the platform, not uploaded"))
	})

	It("sends every file when the pool holds none, and says nothing about matching", func() {
		res, err := deploy(w.cf)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(w.cf.Bits[res.AppGUID])).To(Equal("Procfile\nlib/app.jar\nlib/dep.jar\n"))
		Expect(w.out.String()).NotTo(ContainSubstring("resource matching"))
	})

	It("sends the plan's bits as they are when the app is an archive", func() {
		w.plan.Files = nil
		res, err := deploy(matchingPlatform{w.cf, map[string]bool{"sha-of-lib/dep.jar": true}})
		Expect(err).NotTo(HaveOccurred())
		Expect(w.cf.Bits[res.AppGUID]).To(Equal(theBits))
	})

	It("fails the deploy, leaving the live app alone, when listing the files fails", func() {
		w.plan.Files.List = func() ([]cf.Resource, error) { return nil, fmt.Errorf("hashing lib/dep.jar: disk on fire") }
		_, err := deploy(w.cf)
		Expect(err).To(MatchError(ContainSubstring("disk on fire")))
		Expect(bytes.Contains(w.out.Bytes(), []byte("disk on fire"))).To(BeTrue())
		Expect(w.cf.AppNamed(appName)).NotTo(BeNil())
	})
})
