package cfsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/config"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

var _ = Describe("discovery and authentication", func() {
	var f *foundation
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("advertises login, uaa and the CC version at the root", func() {
		root, err := f.cf.Root.Get(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(root.Links.Login.Href).To(Equal(f.info.UAAURL))
		Expect(root.Links.Uaa.Href).To(Equal(f.info.UAAURL))
		Expect(root.Links.CloudControllerV3.Meta.Version).To(Equal("3.228.0"))
	})

	It("logs in with client credentials, lazily on the first call", func() {
		cfg, err := config.New(f.info.APIURL, config.ClientCredentials(f.info.ClientID, f.info.ClientSecret))
		Expect(err).NotTo(HaveOccurred())
		cf, err := client.New(cfg)
		Expect(err).NotTo(HaveOccurred())
		_, err = cf.Spaces.ListAll(context.Background(), nil)
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses a wrong password inside config.New with UAA's 401", func() {
		_, err := config.New(f.info.APIURL, config.UserPassword(f.info.Username, "wrong"))
		Expect(err).To(MatchError(ContainSubstring("unauthorized")))
	})

	It("answers CC's 401 bodies without a token and with a bad one", func() {
		resp, body := rawGet(f.info.APIURL+"/v3/apps", "")
		Expect(resp.StatusCode).To(Equal(401))
		Expect(body).To(MatchJSON(`{"errors":[{"detail":"Authentication error","title":"CF-NotAuthenticated","code":10002}]}`))
		resp, body = rawGet(f.info.APIURL+"/v3/apps", "bearer not.a.token")
		Expect(resp.StatusCode).To(Equal(401))
		Expect(body).To(MatchJSON(`{"errors":[{"detail":"Invalid Auth Token","title":"CF-InvalidAuthToken","code":1000}]}`))
	})
})

func rawGet(url, auth string) (*http.Response, string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	Expect(err).NotTo(HaveOccurred())
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := plain.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp, string(b)
}

var _ = Describe("pushing an app", func() {
	var f *foundation
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 3}) })
	AfterEach(func() { f.close() })

	It("stages, starts real instances and serves them through the load balancer", func() {
		app, droplet := f.push(pushOpts{name: "hello", version: "v1", instances: 2})
		f.waitRunning(app.GUID, 2)
		Eventually(func() string { return get(f.info.LBURL, f.host("hello"), "/").body }, 5*time.Second, 20*time.Millisecond).
			Should(Equal("version=v1"))

		d, err := f.cf.Droplets.Get(context.Background(), droplet)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.State).To(BeEquivalentTo("STAGED"))
		Expect(d.ProcessTypes).To(HaveKeyWithValue("web", "./versioned"))

		stats, err := f.cf.Processes.GetStatsForApp(context.Background(), app.GUID, "web")
		Expect(err).NotTo(HaveOccurred())
		guids := map[string]bool{}
		for _, s := range stats.Stats {
			Expect(s.Routable).To(BeTrue())
			Expect(s.InstanceGuid).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$`))
			guids[s.InstanceGuid] = true
		}
		Expect(guids).To(HaveLen(2))
	})

	It("hands instances PORT, VCAP_APPLICATION, the instance index and guid, and the app's env", func() {
		app, _ := f.push(pushOpts{name: "envy", version: "v1", instances: 2})
		f.waitRunning(app.GUID, 2)
		seen := map[string]string{}
		Eventually(func() int {
			r := get(f.info.LBURL, f.host("envy"), "/")
			if r.status == 200 {
				seen[r.header.Get("X-Instance-Index")] = r.header.Get("X-Instance-Guid")
			}
			return len(seen)
		}, 5*time.Second, 10*time.Millisecond).Should(Equal(2))
		stats, err := f.cf.Processes.GetStatsForApp(context.Background(), app.GUID, "web")
		Expect(err).NotTo(HaveOccurred())
		for _, s := range stats.Stats {
			Expect(seen).To(HaveKeyWithValue(itoa(s.Index), s.InstanceGuid))
		}
	})

	It("fails staging without a start command, with the buildpack's CF error text", func() {
		ctx := context.Background()
		job, err := f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID, "applications:\n- name: nocmd\n")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
		bare := writeZipWithoutProcfile()
		build := f.startBuild(f.appNamed("nocmd").GUID, bare)
		Eventually(func() string {
			b, err := f.cf.Builds.Get(ctx, build)
			Expect(err).NotTo(HaveOccurred())
			return string(b.State)
		}, 10*time.Second, 50*time.Millisecond).Should(Equal("FAILED"))
		b, _ := f.cf.Builds.Get(ctx, build)
		Expect(*b.Error).To(Equal("BuildpackCompileFailed - App staging failed in the buildpack compile phase"))
	})

	It("keeps staging from touching the current droplet and refuses a second concurrent build", func() {
		app, droplet := f.push(pushOpts{name: "stable", version: "v1"})
		f.sim.SetStagingTime(2 * time.Second)
		build := f.startBuild(app.GUID, appZip)
		_, err := f.cf.Builds.Create(context.Background(), resource.NewBuildCreate(f.readyPackage(app.GUID, appZip)))
		Expect(resource.IsStagingInProgressError(err)).To(BeTrue(), "got %v", err)
		current, err := f.cf.Droplets.GetCurrentForApp(context.Background(), app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(current.GUID).To(Equal(droplet))
		Expect(f.cf.Builds.PollStaged(context.Background(), build, fastPoll())).To(Succeed())
		current, err = f.cf.Droplets.GetCurrentForApp(context.Background(), app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(current.GUID).To(Equal(droplet))
	})

	It("deletes an app while it stages, its builds with it, and goes on serving", func() {
		ctx := context.Background()
		app, _ := f.push(pushOpts{name: "short-lived", version: "v1"})
		f.sim.SetStagingTime(300 * time.Millisecond)
		build := f.startBuild(app.GUID, appZip)
		job, err := f.cf.Applications.Delete(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
		time.Sleep(600 * time.Millisecond) // past the staging time: the build would have ended
		_, err = f.cf.Builds.Get(ctx, build)
		Expect(err).To(MatchError(ContainSubstring("CF-ResourceNotFound")))
		_, err = f.cf.Applications.ListAll(ctx, nil)
		Expect(err).NotTo(HaveOccurred())
	})

	It("returns the app's manifest as YAML", func() {
		app, _ := f.push(pushOpts{name: "described", version: "v9", instances: 2})
		m, err := f.cf.Manifests.Generate(context.Background(), app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(m).To(ContainSubstring("name: described"))
		Expect(m).To(ContainSubstring("route: described." + f.info.Domain))
		Expect(m).To(ContainSubstring("VERSION: v9"))
		Expect(m).To(ContainSubstring("instances: 2"))
	})

	It("serves droplet downloads through a blobstore redirect, and takes droplet uploads", func() {
		ctx := context.Background()
		app, droplet := f.push(pushOpts{name: "bits", version: "v1", noStart: true})
		tgz, err := f.cf.Droplets.Download(ctx, droplet)
		Expect(err).NotTo(HaveOccurred())
		data, err := io.ReadAll(tgz)
		Expect(err).NotTo(HaveOccurred())
		Expect(len(data)).To(BeNumerically(">", 1000))

		created, err := f.cf.Droplets.Create(ctx, &resource.DropletCreate{
			Relationships: resource.AppRelationship{App: resource.ToOneRelationship{Data: &resource.Relationship{GUID: app.GUID}}},
			ProcessTypes:  map[string]string{"web": "./versioned"},
		})
		Expect(err).NotTo(HaveOccurred())
		job, _, err := f.cf.Droplets.Upload(ctx, created.GUID, bytesReader(data))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
		up, err := f.cf.Droplets.Get(ctx, created.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(up.State).To(BeEquivalentTo("STAGED"))
		orig, _ := f.cf.Droplets.Get(ctx, droplet)
		Expect(up.Checksum.Value).To(Equal(orig.Checksum.Value))
	})
})

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// writeZipWithoutProcfile zips the app's executable alone: nothing says how to start it.
func writeZipWithoutProcfile() string {
	dir := GinkgoT().TempDir()
	bin := filepath.Join(dir, "versioned")
	Expect(os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755)).To(Succeed())
	dest := filepath.Join(dir, "bare.zip")
	Expect(cfpush.ZipApp(dest, bin, "")).To(Succeed())
	return dest
}
