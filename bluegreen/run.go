package bluegreen

import (
	"context"
	"fmt"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// Run is one run of a flow on one app: where it works, what it found there, its log, and how
// far it got. Each flow's state embeds a *Run and adds its own.
type Run struct {
	CC       Platform
	Probe    Prober
	Log      *Timeline
	Target   Target
	Timeouts Timeouts

	Space         platform.Space
	Domains       map[string]platform.Domain // by name
	DefaultDomain string                     // its name
	Live          *platform.App              // the app as found; nil before its first deploy
	LiveSize      platform.Process           // its web process
	Res           Result

	// Aborts (abort.go). caller is the context the caller gave, kept only to tell its abort
	// from the run's own deadline; no work is done with it.
	caller    context.Context
	step      string // the step running, or the last one started
	abortedAt string // the step an abort stopped
	left      string // after an abort: what the run left, for the one-line report
}

// NewRun starts a run on t. ctx is the caller's: its cancellation is an abort.
func NewRun(ctx context.Context, p Platform, pr Prober, t Target, timeouts Timeouts, log *Timeline) *Run {
	return &Run{CC: p, Probe: pr, Log: log, Target: t, Timeouts: timeouts, caller: ctx}
}

// Resolve finds the space, the domains and the live app. A wrong org or space is bad input:
// the caller reports it in one line.
func (r *Run) Resolve(ctx context.Context) error {
	r.step = "target"
	var err error
	if r.Space, err = r.CC.Space(ctx, r.Target.Org, r.Target.Space); err != nil {
		return r.Failed(ctx, err)
	}
	if r.Domains, err = r.CC.Domains(ctx); err != nil {
		return r.Failed(ctx, err)
	}
	if _, r.DefaultDomain, err = r.CC.DefaultDomain(ctx, r.Space.OrgGUID); err != nil {
		return r.Failed(ctx, err)
	}
	return r.Failed(ctx, r.FindLive(ctx))
}

// FindLive reads the live app (again: a deploy waited for, or healing, may have replaced it).
func (r *Run) FindLive(ctx context.Context) error {
	live, err := r.CC.AppByName(ctx, r.Space.GUID, r.Target.App)
	if err != nil {
		return err // what the run knew stays: an abort's report names the app still serving
	}
	r.Res.PreviousGUID, r.Live = "", live
	if live == nil {
		return nil
	}
	if r.LiveSize, err = r.CC.WebProcess(ctx, r.Live.GUID); err != nil {
		r.LiveSize = platform.Process{}
	}
	r.Res.PreviousGUID = r.Live.GUID
	return nil
}

// NoteTarget logs what the run found.
func (r *Run) NoteTarget() {
	r.Log.Note("target %s/%s: %s", r.Target.Org, r.Target.Space, r.liveState())
}

func (r *Run) liveState() string {
	if r.Live == nil {
		return "no app " + r.Target.App + " yet: first deploy"
	}
	return fmt.Sprintf("live app %s (%s), %d instances", r.Live.Name, r.Live.GUID, r.LiveSize.Instances)
}
