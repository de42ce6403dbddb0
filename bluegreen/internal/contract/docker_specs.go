package contract

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// dockerManifest is app's manifest with a docker key, as a docker app's manifest reads.
func dockerManifest(name, image string, routes []string) []byte {
	return append(app(name, 1, routes, nil), []byte("  docker:\n    image: "+image+"\n    username: ci-bot\n")...)
}

func dockerSpecs(x *fixture) {
	Describe("docker images", func() {
		It("runs an image in an app made with the docker lifecycle: a docker package, staged into a droplet, started", func() {
			ctx, p := *x.ctx, x.port()
			a, err := p.CreateDockerApp(ctx, x.space.GUID, "shop-candidate", map[string]string{"cf-bluegreen-resource/role": "candidate"},
				map[string]string{"cf-bluegreen-resource/step": "created"})
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Lifecycle).To(Equal(platform.LifecycleDocker))
			Expect(a.State).To(Equal(platform.AppStopped))
			Expect(a.Labels).To(HaveKeyWithValue("cf-bluegreen-resource/role", "candidate"))
			_, err = p.CreateDockerApp(ctx, x.space.GUID, "shop-candidate", nil, map[string]string{"cf-bluegreen-resource/step": "other"})
			Expect(err).To(MatchError(platform.ErrNameTaken))

			Expect(p.ApplyManifest(ctx, x.space.GUID, dockerManifest("shop-candidate", x.f.DockerImage, []string{x.url("shop")}))).
				To(Succeed(), "a manifest's docker key fits a docker app")
			pkg, err := p.CreateDockerPackage(ctx, a.GUID, platform.DockerImage{Image: x.f.DockerImage, Username: "ci-bot", Password: "registry-pw"})
			Expect(err).NotTo(HaveOccurred())
			droplet := x.startedFrom(a, pkg, 1)
			got, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Lifecycle).To(Equal(platform.LifecycleDocker))
			Expect(got.DropletGUID).To(Equal(droplet))
		})

		It("makes buildpack apps unless asked; a manifest's docker key makes a new app a docker app, but never turns a buildpack app into one", func() {
			ctx, p := *x.ctx, x.port()
			a, err := p.CreateApp(ctx, x.space.GUID, "shop", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Lifecycle).To(Equal(platform.LifecycleBuildpack))
			Expect(x.pushed("plain", 1, nil, nil).Lifecycle).To(Equal(platform.LifecycleBuildpack))

			Expect(x.applied(string(dockerManifest("image", x.f.DockerImage, nil)), "image").Lifecycle).To(Equal(platform.LifecycleDocker))
			err = p.ApplyManifest(ctx, x.space.GUID, dockerManifest("shop", x.f.DockerImage, nil))
			Expect(err).To(MatchError(ContainSubstring("Lifecycle type cannot be changed from buildpack to docker")))
			still, err := p.App(ctx, a.GUID)
			Expect(err).NotTo(HaveOccurred())
			Expect(still.Lifecycle).To(Equal(platform.LifecycleBuildpack))
		})

		It("refuses a docker package without an image", func() {
			ctx, p := *x.ctx, x.port()
			a, err := p.CreateDockerApp(ctx, x.space.GUID, "shop", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			_, err = p.CreateDockerPackage(ctx, a.GUID, platform.DockerImage{})
			Expect(err).To(MatchError(ContainSubstring("Data Image required")))
		})
	})
}
