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

	// Aborts (abort.go). caller is the context the caller gave, kept only to tell its abort
	// from the deploy's own deadline; no work is done with it.
	caller    context.Context
	step      string // the step running, or the last one started
	abortedAt string // the step an abort stopped
	left      string // after an abort: what the engine left, for the one-line report
}

// Deploy runs a blue-green deploy (design.md, "Blue-green, step by step"). On any failure it
// puts the space back to one serving version and returns the failure, with cleanup errors.
//
// An abort (ctx canceled) stops it at the next safe point and is recovered from the same way;
// the error then wraps ErrAborted and says what the app was left in.
func Deploy(ctx context.Context, p Platform, pr Prober, plan Plan, log *Timeline) (Result, error) {
	caller := ctx
	ctx, cancel := context.WithTimeout(ctx, plan.Timeouts.Overall)
	defer cancel()
	d := &deployer{p: settledPlatform{p}, pr: pr, plan: plan, log: log, deployID: newID(), caller: caller, stopLease: func() {}}
	if err := d.prepare(ctx); err != nil {
		return d.res, d.outcome(err)
	}
	// The lease outlives an abort: it is held until the recovery has put the app back.
	lease, release := uninterrupted(ctx)
	defer release()
	d.stopLease = d.heartbeat(lease)
	err := d.deploy(ctx)
	if err != nil {
		err = d.recover(ctx, err)
	}
	d.stopLease()
	return d.res, d.outcome(err)
}

// prepare finds the space and the live app, checks the quota, and takes the lease. Nothing
// has changed on the foundation when it fails, apart from healing an earlier deploy.
func (d *deployer) prepare(ctx context.Context) error {
	// Not a logged step: a wrong org or space is bad input, reported in one line by the caller.
	d.step = "target"
	if err := d.target(ctx); err != nil {
		return d.failed(ctx, err)
	}
	d.log.Note("target %s/%s: %s", d.plan.Org, d.plan.Space, d.liveState())
	d.step = "check quota"
	if err := d.log.Step(d.step, func() error { return d.checkQuota(ctx) }); err != nil {
		return d.failed(ctx, err)
	}
	d.step = "take the lease"
	if err := d.log.Step("take the lease ("+candidateName(d.plan.App)+")", func() error { return d.acquire(ctx) }); err != nil {
		return d.failed(ctx, err)
	}
	// Read the live app again: a deploy we waited for, or healing, may have replaced it.
	if err := d.findLive(ctx); err != nil {
		return d.recover(ctx, d.failed(ctx, err)) // releases the lease
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
	return d.runSteps(ctx, steps)
}

// runSteps runs steps in turn. Between two steps is the safe point where an abort stops the
// deploy if no wait noticed it first.
func (d *deployer) runSteps(ctx context.Context, steps []step) error {
	for _, s := range steps {
		d.step = s.name
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", s.name, d.failed(ctx, context.Cause(ctx)))
		}
		if err := d.log.Step(s.name, func() error { return s.f(ctx) }); err != nil {
			return fmt.Errorf("%s: %w", s.name, d.failed(ctx, err))
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

// recover brings the space back to one serving version after a failure or an abort: traffic
// goes back to the live app if it had moved, then the candidate is removed (or kept stopped).
// It runs to its end whatever happens to the deploy's context.
func (d *deployer) recover(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.plan.Timeouts.Verify+2*time.Minute)
	defer cancel()
	if d.abortedAt != "" {
		d.log.Fail("%v at %s: bringing %s back to one serving version", d.abortErr(), d.abortedAt, d.plan.App)
	} else {
		d.log.Fail("deploy failed: %v", cause)
	}
	if d.finalizing {
		d.log.Fail("the new version serves every route; the next run finishes what finalize left")
		d.left = fmt.Sprintf("the new version serves every route alone, but finalize failed (%v); the next run finishes it", cause)
		return cause
	}
	if d.cutover {
		if err := d.log.Step("switch back", func() error { return d.switchBack(ctx) }); err != nil {
			// The candidate may still be the only one serving a route: keep it for the next run to heal.
			d.stopLease()
			d.left = fmt.Sprintf("switching traffic back failed (%v); %s is kept, and the next run heals it", err, candidateName(d.plan.App))
			return fmt.Errorf("%w (and switching back failed, the candidate is kept: %v)", cause, err)
		}
	}
	d.stopLease() // before abandon renames the candidate (keep_failed): a renewal would rename it back
	cleanup := d.log.Step("remove the candidate", func() error { return d.abandon(ctx) })
	d.left = d.recovered(cleanup)
	if cleanup != nil {
		return fmt.Errorf("%w (and cleaning up failed: %v)", cause, flatten(cleanup))
	}
	return cause
}

// recovered says what recover left, for an abort's report.
func (d *deployer) recovered(cleanup error) string {
	cand := candidateName(d.plan.App)
	gone := cand + " and its temporary route were removed"
	if d.plan.KeepFailed {
		gone = fmt.Sprintf("%s was kept stopped as %s (params.keep_failed), its temporary route removed", cand, failedName(d.plan.App))
	}
	if cleanup != nil {
		gone = fmt.Sprintf("removing %s failed (%v), the next run heals it", cand, flatten(cleanup))
	}
	serving := d.plan.App + " does not exist, as before this first deploy"
	if d.live != nil {
		serving = fmt.Sprintf("%s (%s) serves alone, as before", d.live.Name, d.live.GUID)
	}
	switch {
	case d.cutover && d.live != nil:
		return fmt.Sprintf("traffic was switched back to %s, proven on every router; %s: %s", d.live.Name, gone, serving)
	case d.cutover:
		return fmt.Sprintf("%s was taken off its routes, proven on every router; %s: %s", cand, gone, serving)
	case d.candidate != nil:
		return fmt.Sprintf("no live traffic had moved; %s: %s", gone, serving)
	}
	return "nothing was changed: " + serving
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
