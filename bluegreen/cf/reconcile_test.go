package cf_test

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"archive/zip"
	"context"
	"io"
	"os"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

var _ = Describe("the port when the Cloud Controller fails", func() {
	var (
		ctx   = context.Background()
		sim   *cfsim.Sim
		port  *cf.Client
		look  *client.Client // an independent view of the foundation
		space platform.Space
	)
	BeforeEach(func() {
		var err error
		sim, err = cfsim.Start(cfsim.Config{Routers: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(sim.Close)
		info := sim.Info()
		port, err = cf.Connect(ctx, cf.Config{API: info.APIURL, Username: info.Username, Password: info.Password,
			Retry: cf.RetryPolicy{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}})
		Expect(err).NotTo(HaveOccurred())
		look, err = cfpush.Login(info.APIURL, info.Username, info.Password)
		Expect(err).NotTo(HaveOccurred())
		space, err = port.Space(ctx, info.Org, info.Space)
		Expect(err).NotTo(HaveOccurred())
	})

	// sent counts the requests CC saw (faulty or not) for a method and path pattern.
	sent := func(method, path string) int {
		re := regexp.MustCompile(path)
		n := 0
		for _, r := range sim.Requests() {
			if r.Method == method && re.MatchString(r.Path) {
				n++
			}
		}
		return n
	}
	fault := func(f cfsim.Fault) { Expect(sim.AddFault(f)).To(Succeed()) }
	appsNamed := func(name string) []string {
		opts := client.NewAppListOptions()
		opts.Names.EqualTo(name)
		apps, err := look.Applications.ListAll(ctx, opts)
		Expect(err).NotTo(HaveOccurred())
		var guids []string
		for _, a := range apps {
			guids = append(guids, a.GUID)
		}
		return guids
	}
	lease := map[string]string{"cf-bluegreen-resource/deploy-id": "d-1"}

	Describe("creating the candidate app (the lease)", func() {
		DescribeTable("makes it exactly once",
			func(f cfsim.Fault, posts int) {
				fault(f)
				app, err := port.CreateApp(ctx, space.GUID, "myapp-candidate", nil, lease)
				Expect(err).NotTo(HaveOccurred())
				Expect(appsNamed("myapp-candidate")).To(Equal([]string{app.GUID}))
				Expect(sent("POST", "^/v3/apps$")).To(Equal(posts))
			},
			Entry("CC made it, then the answer was lost: found, not made again",
				cfsim.Fault{Method: "POST", Path: "^/v3/apps$", Times: 1, Status: 502, After: true}, 1),
			Entry("CC made it, then the connection dropped",
				cfsim.Fault{Method: "POST", Path: "^/v3/apps$", Times: 1, Drop: true, After: true}, 1),
			Entry("CC failed before making it: made on the next try",
				cfsim.Fault{Method: "POST", Path: "^/v3/apps$", Times: 2, Status: 503}, 3),
			Entry("rate limited",
				cfsim.Fault{Method: "POST", Path: "^/v3/apps$", Times: 1, Status: 429}, 2),
		)

		It("still sees another deploy's candidate as a taken name when the answer was lost", func() {
			_, err := port.CreateApp(ctx, space.GUID, "myapp-candidate", nil, map[string]string{"cf-bluegreen-resource/deploy-id": "other"})
			Expect(err).NotTo(HaveOccurred())
			fault(cfsim.Fault{Method: "POST", Path: "^/v3/apps$", Times: 1, Status: 502, After: true})
			_, err = port.CreateApp(ctx, space.GUID, "myapp-candidate", nil, lease)
			Expect(err).To(MatchError(platform.ErrNameTaken))
		})

		It("gives up after the policy's tries with the Cloud Controller's answer", func() {
			fault(cfsim.Fault{Method: "POST", Path: "^/v3/apps$", Status: 503})
			_, err := port.CreateApp(ctx, space.GUID, "myapp-candidate", nil, lease)
			Expect(err).To(MatchError(ContainSubstring(`create app "myapp-candidate": POST /v3/apps: the Cloud Controller answered 503 (CF-ServiceUnavailable: Database connection failure)`)))
			Expect(cf.IsTransient(err)).To(BeTrue())
			Expect(appsNamed("myapp-candidate")).To(BeEmpty())
		})
	})

	It("makes one route when the answer to its creation is lost", func() {
		domain, _, err := port.DefaultDomain(ctx, space.OrgGUID)
		Expect(err).NotTo(HaveOccurred())
		fault(cfsim.Fault{Method: "POST", Path: "^/v3/routes$", Times: 1, Drop: true, After: true})
		r, err := port.EnsureRoute(ctx, space.GUID, domain, "myapp-candidate", "")
		Expect(err).NotTo(HaveOccurred())
		routes, err := look.Routes.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(routes).To(HaveLen(1))
		Expect(routes[0].GUID).To(Equal(r.GUID))
	})

	Describe("uploading and staging bits", func() {
		var (
			appGUID string
			writes  atomic.Int32
			bits    func(io.Writer) error
		)
		BeforeEach(func() {
			app, err := port.CreateApp(ctx, space.GUID, "myapp", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			appGUID = app.GUID
			writes.Store(0)
			bits = func(w io.Writer) error {
				writes.Add(1)
				zw := zip.NewWriter(w)
				for name, mode := range map[string]os.FileMode{"Procfile": 0o644, "app": 0o755} {
					h := &zip.FileHeader{Name: name}
					h.SetMode(mode)
					f, err := zw.CreateHeader(h)
					if err != nil {
						return err
					}
					if _, err := io.WriteString(f, "web: ./app\n"); err != nil {
						return err
					}
				}
				return zw.Close()
			}
		})

		// stage uploads and stages the bits, expecting one package and one build for the app.
		stage := func() {
			pkg, err := port.Upload(ctx, appGUID, bits)
			Expect(err).NotTo(HaveOccurred())
			droplet, err := port.Stage(ctx, pkg)
			Expect(err).NotTo(HaveOccurred())
			Expect(droplet).NotTo(BeEmpty())
			pkgs, err := look.Packages.ListForAppAll(ctx, appGUID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(pkgs).To(HaveLen(1), "one package")
			builds, err := look.Builds.ListForAppAll(ctx, appGUID, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(builds).To(HaveLen(1), "one build")
		}

		DescribeTable("makes one package and one build, streaming the bits again only when CC never got them",
			func(f cfsim.Fault, streams int) {
				fault(f)
				stage()
				Expect(int(writes.Load())).To(Equal(streams))
			},
			Entry("package created, answer lost", cfsim.Fault{Method: "POST", Path: "^/v3/packages$", Times: 1, Status: 502, After: true}, 1),
			Entry("bits received, connection dropped", cfsim.Fault{Method: "POST", Path: "/upload$", Times: 1, Drop: true, After: true}, 1),
			Entry("bits received, answer lost", cfsim.Fault{Method: "POST", Path: "/upload$", Times: 1, Status: 502, After: true}, 1),
			Entry("bits refused before CC read them", cfsim.Fault{Method: "POST", Path: "/upload$", Times: 1, Status: 503}, 2),
			Entry("bits cut off: the connection dropped", cfsim.Fault{Method: "POST", Path: "/upload$", Times: 1, Drop: true}, 2),
			Entry("build created, answer lost", cfsim.Fault{Method: "POST", Path: "^/v3/builds$", Times: 1, Status: 502, After: true}, 1),
			Entry("every read of the package failing now and then", cfsim.Fault{Method: "GET", Path: "^/v3/packages/", Rate: 0.15}, 1),
		)

		It("renews a token CC refuses during the upload and streams the bits again", func() {
			fault(cfsim.Fault{Method: "POST", Path: "/upload$", Times: 1, Status: 401})
			tokens := sent("POST", "^/oauth/token$")
			stage()
			Expect(int(writes.Load())).To(Equal(2))
			Expect(sent("POST", "^/oauth/token$")).To(BeNumerically(">", tokens), "logged in again after the 401")
		})

		It("does not retry bits that cannot be read, and says why", func() {
			broken := func(w io.Writer) error { writes.Add(1); return io.ErrUnexpectedEOF }
			_, err := port.Upload(ctx, appGUID, broken)
			Expect(err).To(MatchError(io.ErrUnexpectedEOF))
			Expect(cf.IsTransient(err)).To(BeFalse())
			Expect(int(writes.Load())).To(Equal(1))
		})

		It("keeps uploading and staging while tokens expire every second", func() {
			sim.SetTokenTTL(time.Second)
			for range 3 {
				pkg, err := port.Upload(ctx, appGUID, bits)
				Expect(err).NotTo(HaveOccurred())
				_, err = port.Stage(ctx, pkg)
				Expect(err).NotTo(HaveOccurred())
				time.Sleep(1100 * time.Millisecond) // the token the last call used has expired
			}
		})
	})

	It("asks again for a docker package whose answer was lost: one unused READY package more, never a failure", func() {
		app, err := port.CreateDockerApp(ctx, space.GUID, "image", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		fault(cfsim.Fault{Method: "POST", Path: "^/v3/packages$", Times: 1, Status: 502, After: true})
		pkg, err := port.CreateDockerPackage(ctx, app.GUID, platform.DockerImage{Image: "registry.example.com/team/image:2"})
		Expect(err).NotTo(HaveOccurred())
		pkgs, err := look.Packages.ListForAppAll(ctx, app.GUID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(pkgs).To(HaveLen(2))
		for _, p := range pkgs {
			Expect(p.Type).To(Equal("docker"))
			Expect(p.State).To(BeEquivalentTo(platform.PackageReady))
		}
		Expect(pkgs[1].GUID).To(Equal(pkg), "the package of the answer that came")
	})
})
