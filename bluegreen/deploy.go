package bluegreen

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
)

// Result is what a deploy did, for the version and metadata.
type Result struct {
	AppName, AppGUID string
	PreviousGUID     string
	DropletGUID      string
	RevisionGUID     string
	Routes           []string
	Verified         []Verification
	Healed           []string

	// CAPI deployments.
	DeploymentGUID    string
	Status            string // the deployment's final status reason
	RevisionVersion   int
	PreviousRevision  int
	InstancesReplaced int
	RolledBack        bool
	FirstPush         bool
	Maintenance       string // on or off, after a maintenance switch
}

// Verification is what proving one route cost.
type Verification struct {
	Route   string
	Probes  int
	Elapsed time.Duration
}

// deployer carries one deploy's state from step to step.
type deployer struct {
	p          Platform
	pr         Prober
	plan       Plan
	log        *Timeline
	space      cf.Space
	domains    map[string]string
	defDomain  string // default domain name
	live       *cf.App
	liveSize   cf.Process
	candidate  *cf.App
	tempRoute  cf.Route
	liveRoutes []cf.Route
	instances  int
	pkg        string
	deployID   string
	res        Result
	cutover    bool // traffic may have moved: a failure must switch back
	finalizing bool // the old app may be stopped: the candidate must keep serving
	noJournal  bool // CAPI deployments keep no lease or journal on the app
	stopLease  func()
}

// Deploy runs a blue-green deploy (design.md, "Blue-green, step by step"). On any failure it
// puts the space back to one serving version and returns the failure, with cleanup errors.
func Deploy(ctx context.Context, p Platform, pr Prober, plan Plan, log *Timeline) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, plan.Timeouts.Overall)
	defer cancel()
	d := &deployer{p: p, pr: pr, plan: plan, log: log, deployID: newID()}
	if err := d.prepare(ctx); err != nil {
		return d.res, err
	}
	d.stopLease = d.heartbeat(ctx)
	err := d.deploy(ctx)
	d.stopLease()
	if err != nil {
		return d.res, d.recover(ctx, err)
	}
	return d.res, nil
}

// prepare finds the space and the live app, checks the quota, and takes the lease. Nothing
// has changed on the foundation when it fails, apart from healing an earlier deploy.
func (d *deployer) prepare(ctx context.Context) error {
	// Not a logged step: a wrong org or space is bad input, reported in one line by the caller.
	if err := d.target(ctx); err != nil {
		return err
	}
	d.log.Note("target %s/%s: %s", d.plan.Org, d.plan.Space, d.liveState())
	if err := d.log.Step("check quota", func() error { return d.checkQuota(ctx) }); err != nil {
		return err
	}
	if err := d.log.Step("take the lease ("+candidateName(d.plan.App)+")", func() error { return d.acquire(ctx) }); err != nil {
		return err
	}
	// Read the live app again: a deploy we waited for, or healing, may have replaced it.
	if err := d.findLive(ctx); err != nil {
		return d.recover(ctx, err) // releases the lease
	}
	return nil
}

func (d *deployer) target(ctx context.Context) error {
	var err error
	if d.space, err = d.p.Space(ctx, d.plan.Org, d.plan.Space); err != nil {
		return err
	}
	if d.domains, err = d.p.Domains(ctx); err != nil {
		return err
	}
	if _, d.defDomain, err = d.p.DefaultDomain(ctx, d.space.OrgGUID); err != nil {
		return err
	}
	return d.findLive(ctx)
}

func (d *deployer) findLive(ctx context.Context) error {
	d.res.PreviousGUID = ""
	var err error
	if d.live, err = d.p.AppByName(ctx, d.space.GUID, d.plan.App); err != nil || d.live == nil {
		return err
	}
	if d.liveSize, err = d.p.WebProcess(ctx, d.live.GUID); err != nil {
		d.liveSize = cf.Process{}
	}
	d.res.PreviousGUID = d.live.GUID
	return nil
}

func (d *deployer) liveState() string {
	if d.live == nil {
		return "no app " + d.plan.App + " yet: first deploy"
	}
	return fmt.Sprintf("live app %s (%s), %d instances", d.live.Name, d.live.GUID, d.liveSize.Instances)
}

// deploy builds and verifies the candidate, moves traffic, observes, and finalizes.
func (d *deployer) deploy(ctx context.Context) error {
	steps := []step{
		{"resolve routes", d.resolveRoutes},
		{"apply manifest", d.applyManifest},
	}
	if d.plan.Droplet != nil {
		steps = append(steps, step{"upload droplet " + short(d.plan.Droplet.SHA256), d.uploadDroplet})
	} else {
		steps = append(steps, step{"upload bits", d.upload}, step{"stage", d.stage})
	}
	steps = append(steps, []step{
		{"start", d.start},
		{"verify temporary route", d.verifyTemporary},
		{"smoke checks", d.smokeChecks},
		{"cut over", d.cutOver},
		{"drain", d.drain},
		{"observe", d.observe},
		{"finalize", d.finalize},
	}...)
	for _, s := range steps {
		if err := d.log.Step(s.name, func() error { return s.f(ctx) }); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// step is a named phase of a deploy.
type step struct {
	name string
	f    func(context.Context) error
}

func short(sha string) string {
	if len(sha) > 12 {
		return "sha256:" + sha[:12]
	}
	return sha
}

// recover brings the space back to one serving version after a failure: traffic goes back
// to the live app if it had moved, then the candidate is removed (or kept stopped).
func (d *deployer) recover(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.plan.Timeouts.Verify+2*time.Minute)
	defer cancel()
	d.log.Fail("deploy failed: %v", cause)
	if d.finalizing {
		d.log.Fail("the new version serves every route; the next run finishes what finalize left")
		return cause
	}
	errs := &multierror.Error{}
	if d.cutover {
		if err := d.log.Step("switch back", func() error { return d.switchBack(ctx) }); err != nil {
			// The candidate may still be the only one serving a route: keep it for the next run to heal.
			return fmt.Errorf("%w (and switching back failed, the candidate is kept: %v)", cause, err)
		}
	}
	errs = multierror.Append(errs, d.log.Step("remove the candidate", func() error { return d.abandon(ctx) }))
	if cleanup := errs.ErrorOrNil(); cleanup != nil {
		return fmt.Errorf("%w (and cleaning up failed: %v)", cause, flatten(cleanup))
	}
	return cause
}

func flatten(err error) string {
	var merr *multierror.Error
	if !errors.As(err, &merr) {
		return err.Error()
	}
	s := ""
	for i, e := range merr.Errors {
		if i > 0 {
			s += "; "
		}
		s += e.Error()
	}
	return s
}
