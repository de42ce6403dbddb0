package contract

import (
	"context"
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Specs registers the contract's specs for one implementation; setup makes a fresh foundation
// for each spec.
func Specs(name string, setup func() Foundation) bool {
	return Describe(name+": the Cloud Controller the engine relies on", func() {
		var (
			f        Foundation
			ctx      context.Context
			space    platform.Space
			domain   string // the default domain's name
			domainID string
		)
		BeforeEach(func() {
			f = setup()
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
			DeferCleanup(cancel)
			var err error
			space, err = f.Port.Space(ctx, f.Org, f.Space)
			Expect(err).NotTo(HaveOccurred())
			domainID, domain, err = f.Port.DefaultDomain(ctx, space.OrgGUID)
			Expect(err).NotTo(HaveOccurred())
		})
		helpers := &fixture{f: &f, ctx: &ctx, space: &space, domain: &domain}

		targetSpecs(helpers, &domainID)
		appSpecs(helpers)
		manifestSpecs(helpers)
		routeSpecs(helpers, &domainID)
		deletedAppSpecs(helpers)
		lifecycleSpecs(helpers)
		dockerSpecs(helpers)
		deploymentSpecs(helpers)
		taskSpecs(helpers)
		processSpecs(helpers)
		serviceSpecs(helpers)
		asyncBindingSpecs(helpers)
		networkingSpecs(helpers)
		logSpecs(helpers)
		metricsSpecs(helpers)
	})
}

// fixture gives the spec groups the foundation set up for the running spec.
type fixture struct {
	f      *Foundation
	ctx    *context.Context
	space  *platform.Space
	domain *string
}

func (x *fixture) port() Port { return x.f.Port }

// pushed applies a manifest for name and reads the app back.
func (x *fixture) pushed(name string, instances int, routes []string, env map[string]string) *platform.App {
	ctx := *x.ctx
	Expect(x.port().ApplyManifest(ctx, x.space.GUID, app(name, instances, routes, env))).To(Succeed())
	a, err := x.port().AppByName(ctx, x.space.GUID, name)
	Expect(err).NotTo(HaveOccurred())
	Expect(a).NotTo(BeNil(), "apply_manifest creates the app")
	return a
}

// started stages the foundation's bits on the app and starts it, waiting for its instances.
func (x *fixture) started(a *platform.App, instances int) {
	pkg, err := x.port().Upload(*x.ctx, a.GUID, x.f.Bits)
	Expect(err).NotTo(HaveOccurred())
	x.startedFrom(a, pkg, instances)
}

// startedFrom stages the package, makes its droplet the app's and starts it, waiting for its
// instances; it returns the droplet.
func (x *fixture) startedFrom(a *platform.App, pkg string, instances int) string {
	ctx, p := *x.ctx, x.port()
	droplet, err := p.Stage(ctx, pkg)
	Expect(err).NotTo(HaveOccurred())
	Expect(p.SetDroplet(ctx, a.GUID, droplet)).To(Succeed())
	Expect(p.Start(ctx, a.GUID)).To(Succeed())
	Expect(eventually(ctx, x.f.Patience, func() error {
		insts, err := p.Instances(ctx, a.GUID)
		return errors.Join(err, allRunning(insts, instances))
	})).To(Succeed())
	return droplet
}

// applied applies a manifest and reads the named app back.
func (x *fixture) applied(manifest, name string) *platform.App {
	ctx := *x.ctx
	Expect(x.port().ApplyManifest(ctx, x.space.GUID, []byte(manifest))).To(Succeed())
	a, err := x.port().AppByName(ctx, x.space.GUID, name)
	Expect(err).NotTo(HaveOccurred())
	Expect(a).NotTo(BeNil(), "apply_manifest creates the app")
	return a
}

func (x *fixture) url(host string) string { return host + "." + *x.domain }
