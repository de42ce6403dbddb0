package cfsim_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// image is the reference the suite maps to the folder holding test/apps/versioned.
const image = "registry.example.com/team/versioned:v1"

var _ = Describe("the docker lifecycle", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() {
		// The suite's build folder holds one executable, versioned: the image's start command.
		images := map[string]string{image: filepath.Dir(appZip)}
		f = startFoundation(cfsim.Config{Routers: 1, StagingTime: 50 * time.Millisecond, DockerImages: images})
	})
	AfterEach(func() { f.close() })

	It("has diego_docker on, listed by name with CC's other flags", func() {
		flag, err := f.cf.FeatureFlags.Get(ctx, resource.FeatureFlagDiegoDocker)
		Expect(err).NotTo(HaveOccurred())
		Expect(flag.Enabled).To(BeTrue())
		flags, err := f.cf.FeatureFlags.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for _, fl := range flags {
			names = append(names, fl.Name)
		}
		Expect(names).To(ContainElements("app_bits_upload", "diego_docker", "task_creation"))
		Expect(sort.StringsAreSorted(names)).To(BeTrue(), "ordered by name")
	})

	It("creates a docker app and package, stages the image, starts it and serves it through the router", func() {
		app := f.applyDockerManifest("dock")
		Expect(app.Lifecycle.Type).To(Equal("docker"))
		pkg, err := f.cf.Packages.Create(ctx, resource.NewDockerPackageCreate(app.GUID, image, "bob", "s3cret-pw"))
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg.State).To(Equal(resource.PackageStateReady))
		Expect(pkg.Data.Docker.Image).To(Equal(image))
		Expect(pkg.Data.Docker.Username).To(Equal("bob"))
		Expect(pkg.Data.Docker.Password).To(Equal("***"))
		build, err := f.cf.Builds.Create(ctx, resource.NewBuildCreate(pkg.GUID))
		Expect(err).NotTo(HaveOccurred())
		Expect(build.Lifecycle.Type).To(Equal("docker"))
		Expect(f.cf.Builds.PollStaged(ctx, build.GUID, fastPoll())).To(Succeed())
		build, err = f.cf.Builds.Get(ctx, build.GUID)
		Expect(err).NotTo(HaveOccurred())
		droplet, err := f.cf.Droplets.Get(ctx, build.Droplet.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(droplet.Lifecycle.Type).To(Equal("docker"))
		Expect(droplet.Image).To(HaveValue(Equal(image)))
		Expect(droplet.ProcessTypes).To(Equal(map[string]string{"web": "./versioned"}))
		Expect(droplet.ExecutionMetadata).To(MatchJSON(`{"cmd":["./versioned"]}`))
		Expect(droplet.Links).NotTo(HaveKey("download"))
		_, err = f.cf.Droplets.SetCurrentAssociationForApp(ctx, app.GUID, droplet.GUID)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Applications.Start(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		f.waitRunning(app.GUID, 1)
		Eventually(func() string { return get(f.info.LBURL, f.host("dock"), "/").body }, 10*time.Second, 50*time.Millisecond).
			Should(Equal("version=docker-v1"))
		Expect(f.recentLines(app.GUID)).To(ContainElements("[STG/0] OUT Staging process started ...",
			"[STG/0] OUT Staging Complete"))
	})

	It("fails staging an image nobody mapped with the docker lifecycle's error", func() {
		app := f.applyDockerManifest("missing")
		pkg, err := f.cf.Packages.Create(ctx, resource.NewDockerPackageCreate(app.GUID, "nosuch/image:2", "", ""))
		Expect(err).NotTo(HaveOccurred())
		build, err := f.cf.Builds.Create(ctx, resource.NewBuildCreate(pkg.GUID))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cf.Builds.PollStaged(ctx, build.GUID, fastPoll())).NotTo(Succeed())
		build, err = f.cf.Builds.Get(ctx, build.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(build.State).To(BeEquivalentTo("FAILED"))
		Expect(build.Error).To(HaveValue(Equal("StagingError - Staging error: staging failed")))
		Expect(f.recentLines(app.GUID)).To(ContainElements(
			"[STG/0] ERR builder exited with error: failed to fetch metadata from [nosuch/image] with tag [2] "+
				"and insecure registries [] due to manifest unknown: manifest unknown",
			"[STG/0] OUT Exit status 2"))
	})

	It("never shows the registry password in an answer", func() {
		app := f.applyDockerManifest("secret")
		pkg, err := f.cf.Packages.Create(ctx, resource.NewDockerPackageCreate(app.GUID, image, "bob", "s3cret-pw"))
		Expect(err).NotTo(HaveOccurred())
		build, err := f.cf.Builds.Create(ctx, resource.NewBuildCreate(pkg.GUID))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cf.Builds.PollStaged(ctx, build.GUID, fastPoll())).To(Succeed())
		build, err = f.cf.Builds.Get(ctx, build.GUID)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.cf.Droplets.SetCurrentAssociationForApp(ctx, app.GUID, build.Droplet.GUID)
		Expect(err).NotTo(HaveOccurred())
		manifest, err := f.cf.Manifests.Generate(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(manifest).To(ContainSubstring("image: " + image))
		Expect(manifest).To(ContainSubstring("username: bob"))
		Expect(manifest).NotTo(ContainSubstring("s3cret-pw"))
		for _, path := range []string{"/v3/packages/" + pkg.GUID, "/v3/packages", "/v3/apps/" + app.GUID + "/packages",
			"/v3/builds/" + build.GUID, "/v3/droplets/" + build.Droplet.GUID, "/v3/apps/" + app.GUID,
			"/v3/apps/" + app.GUID + "/env", "/v3/audit_events"} {
			Expect(f.authGet(f.info.APIURL+path)).NotTo(ContainSubstring("s3cret-pw"), path)
		}
		Expect(f.recentLines(app.GUID)).NotTo(ContainElement(ContainSubstring("s3cret-pw")))
	})

	It("refuses docker apps, builds, starts and manifests while diego_docker is off", func() {
		app := f.applyDockerManifest("gated")
		pkg, err := f.cf.Packages.Create(ctx, resource.NewDockerPackageCreate(app.GUID, image, "", ""))
		Expect(err).NotTo(HaveOccurred())
		off := false
		_, err = f.cf.FeatureFlags.Update(ctx, resource.FeatureFlagDiegoDocker, &resource.FeatureFlagUpdate{Enabled: &off})
		Expect(err).NotTo(HaveOccurred())
		disabled := MatchError(ContainSubstring("CF-FeatureDisabled|330002): Feature Disabled: diego_docker"))
		create := resource.NewAppCreate("gated-2", f.SpaceGUID)
		create.Lifecycle = &resource.Lifecycle{Type: "docker", Data: &resource.DockerLifecycle{}}
		_, err = f.cf.Applications.Create(ctx, create)
		Expect(err).To(disabled)
		_, err = f.cf.Builds.Create(ctx, resource.NewBuildCreate(pkg.GUID))
		Expect(err).To(disabled)
		_, err = f.cf.Applications.Start(ctx, app.GUID)
		Expect(err).To(disabled)
		_, err = f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID, dockerManifest(f.info.Domain, "gated"))
		Expect(err).To(MatchError(ContainSubstring("For application 'gated': Feature Disabled: diego_docker")))
	})
})

// dockerManifest is the versioned app's manifest with a docker key, as cf push --docker-image
// REF --docker-username bob sends it.
func dockerManifest(domain, name string) string {
	return cfpush.App{Name: name, Version: "docker-v1"}.Manifest(domain) +
		"  docker:\n    image: " + image + "\n    username: bob\n"
}

// applyDockerManifest creates a docker app through apply_manifest, as the cf CLI does.
func (f *foundation) applyDockerManifest(name string) *resource.App {
	ctx := context.Background()
	job, err := f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID, dockerManifest(f.info.Domain, name))
	Expect(err).NotTo(HaveOccurred())
	Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
	return f.appNamed(name)
}

// authGet reads a CC URL with go-cfclient's token and returns the body, whatever the status.
func (f *foundation) authGet(u string) string {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	Expect(err).NotTo(HaveOccurred())
	resp, err := f.cf.HTTPAuthClient().Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return string(body)
}
