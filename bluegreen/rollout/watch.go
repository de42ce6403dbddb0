package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// watchPoll is the longest pause between two reads of a deployment: CAPI moves it on at its
// updater's ticks (every 5 s by default), and a pause or the end is acted on within this. At
// 250 ms a paced rolling deploy read CC a quarter more often than before it was paced.
const watchPoll = 500 * time.Millisecond

// statsEvery is how often the new instances are read while CAPI rolls: a crash is caught within
// it, and the process stats (a round trip to Diego for CC) are not read at every deployment read.
const statsEvery = time.Second

// watch follows the deployment to DEPLOYED with our own deadline: new instances that crash,
// cannot be placed, or make no progress for the startup timeout fail it; each pause is verified
// through the routers before it continues. Proofs of the next pause or of the end start as soon
// as the new process exists (proveAhead).
func (r *roller) watch(ctx context.Context) error {
	progress, best, verified := time.Now(), -1, 0
	var statsRead time.Time
	b := poll.Capped(watchPoll)
	for {
		d, err := r.p.Deployment(ctx, r.dep.GUID)
		if err != nil {
			return err
		}
		r.dep = d
		switch {
		case d.Deployed():
			return nil
		case d.Value == platform.DeploymentFinalized:
			return fmt.Errorf("the deployment ended %s, not DEPLOYED (another deployment or a user changed it)", d.Reason)
		case d.Reason == platform.ReasonPaused && d.CanaryStep > verified:
			if err := r.pause(ctx, d); err != nil {
				return err
			}
			verified, progress = d.CanaryStep, time.Now()
			if err := r.p.ContinueDeployment(ctx, d.GUID); err != nil {
				return err
			}
			b.Reset()
		}
		if time.Since(statsRead) >= statsEvery {
			running, err := r.newInstances(ctx, d)
			if err != nil {
				return err
			}
			if running > best {
				best, progress = running, time.Now()
			}
			statsRead = time.Now()
		}
		r.proveAhead(ctx, d, verified)
		if time.Since(progress) > r.o.Timeouts.Startup {
			return fmt.Errorf("no new instance became RUNNING for %s (params.startup_timeout); deployment %s/%s %s",
				r.o.Timeouts.Startup, d.Value, d.Reason, d.Error)
		}
		if err := b.Wait(ctx); err != nil {
			return err
		}
	}
}

// proveAhead starts the proof of what CAPI rolls towards, once: the pause of the current canary
// step while it is not verified yet, else the end.
func (r *roller) proveAhead(ctx context.Context, d platform.Deployment, verified int) {
	proc := newest(d)
	if proc == "" || len(r.liveRoutes) == 0 || d.Reason == platform.ReasonCanceling {
		return
	}
	if d.CanaryStep > verified {
		if r.ahead.pause == nil || r.ahead.step != d.CanaryStep {
			r.ahead.pause.stop()
			weights := r.o.CanarySteps
			if r.paced {
				weights = nil
			}
			n := canaryInstances(r.target, weights, d.CanaryStep)
			r.ahead.step, r.ahead.pause = d.CanaryStep, startEarly(ctx, n, func(ctx context.Context) ([]bluegreen.Verification, error) {
				return r.proveCanary(ctx, proc, n, r.pauseName(d))
			})
		}
		return
	}
	if r.ahead.final == nil && r.target > 0 {
		r.ahead.final = startEarly(ctx, r.target, func(ctx context.Context) ([]bluegreen.Verification, error) {
			return r.proveOnlyNew(ctx, proc, r.target)
		})
	}
}

// newInstances counts the new process's RUNNING instances and fails fast on a crash or a
// placement error: CAPI would wait forever.
func (r *roller) newInstances(ctx context.Context, d platform.Deployment) (int, error) {
	running := 0
	for _, guid := range d.NewProcesses {
		insts, err := r.p.ProcessInstances(ctx, guid)
		if err != nil {
			return 0, err
		}
		for _, in := range insts {
			switch {
			case in.State == platform.InstanceCrashed:
				reasons, _ := r.p.CrashReasons(ctx, r.Live.GUID)
				r.PrintCrashes(lastN(reasons, 4))
				return 0, fmt.Errorf("new instance %d crashed; instances: %s", in.Index, bluegreen.Describe(insts))
			case in.State == platform.InstanceDown && in.Details != "":
				return 0, fmt.Errorf("new instance %d cannot be placed: %s", in.Index, in.Details)
			case in.State == platform.InstanceRunning:
				running++
			}
		}
	}
	return running, nil
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// newest is the deployment's newest process (the one it scales up), "" when it has none yet.
func newest(d platform.Deployment) string {
	if len(d.NewProcesses) == 0 {
		return ""
	}
	return d.NewProcesses[len(d.NewProcesses)-1]
}

// verifyOnlyNew proves that on every route the new process serves and no old web process does,
// unless the proof made while CAPI finished already did.
func (r *roller) verifyOnlyNew(ctx context.Context) error {
	newProc := newest(r.dep)
	if newProc == "" {
		return fmt.Errorf("deployment %s reports no new process", r.dep.GUID)
	}
	insts, err := r.p.ProcessInstances(ctx, newProc)
	if err != nil {
		return err
	}
	proved, ok := r.ahead.finalProof(ctx, len(insts))
	if !ok {
		if proved, err = r.proveOnlyNew(ctx, newProc, len(insts)); err != nil {
			return err
		}
	}
	r.Res.Verified = append(r.Res.Verified, proved...)
	return nil
}

// proveOnlyNew proves that the new process's instances serve every live route on every router,
// and that no old web process does.
func (r *roller) proveOnlyNew(ctx context.Context, newProc string, instances int) ([]bluegreen.Verification, error) {
	var proved []bluegreen.Verification
	for _, rt := range r.liveRoutes {
		res, err := r.AwaitPresent(ctx, rt, bluegreen.ProcessBackend(newProc, instances), "the new version was not served")
		if err != nil {
			return nil, err
		}
		for _, old := range r.oldProcs {
			if _, err := r.AwaitAbsent(ctx, rt, bluegreen.ProcessBackend(old.GUID, old.Instances), "the old version was still served"); err != nil {
				return nil, err
			}
		}
		proved = append(proved, bluegreen.Verification{Route: rt.URL, Probes: res.Probes, Elapsed: res.Elapsed})
		r.Log.Note("only the new version serves %s on every router", rt.URL)
	}
	return proved, nil
}

// cancelAndVerify cancels an ACTIVE deployment, waits until CC finished reverting it, and
// proves the old process serves every route alone.
func (r *roller) cancelAndVerify(ctx context.Context) error {
	d, err := r.p.Deployment(ctx, r.dep.GUID)
	if err != nil {
		return err
	}
	if d.Active() {
		if err := r.p.CancelDeployment(ctx, d.GUID); err != nil {
			return err
		}
	}
	b := poll.New()
	for d.Active() {
		if err := b.Wait(ctx); err != nil {
			return fmt.Errorf("waiting for the cancel to finish: %w", err)
		}
		if d, err = r.p.Deployment(ctx, d.GUID); err != nil {
			return err
		}
	}
	r.dep = d
	return r.verifyOldAlone(ctx, d.NewProcesses)
}

func (r *roller) verifyOldAlone(ctx context.Context, newProcs []string) error {
	procs, err := r.p.WebProcesses(ctx, r.Live.GUID)
	if err != nil {
		return fmt.Errorf("after the cancel, reading the app's web processes: %w", err)
	}
	if len(procs) == 0 {
		return fmt.Errorf("after the cancel the app has no web process")
	}
	old := procs[0]
	for _, rt := range r.liveRoutes {
		if _, err := r.AwaitPresent(ctx, rt, bluegreen.ProcessBackend(old.GUID, old.Instances), "the old version was not served"); err != nil {
			return err
		}
		for _, p := range newProcs {
			if _, err := r.AwaitAbsent(ctx, rt, probe.Backend{ProcessGUID: p, Instances: 1}, "the new version was still served"); err != nil {
				return err
			}
		}
		r.Log.Note("the old version serves %s alone again on every router", rt.URL)
	}
	return nil
}
