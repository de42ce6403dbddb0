package rollout

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

// earlyProof is a proof through the routers started before CC reaches the state it proves (a
// canary pause, the end of the deployment). The routers learn of new instances when Diego starts
// them, not when the updater's next tick reports it, so proving from then on makes the routers'
// lag overlap the tick instead of following it: at the pause or at DEPLOYED the proof is usually
// done. It only ever saves time: it counts when it succeeded for the instance count CC then
// reports; an error (the proof gave up before CC got there) or another count, and the proof is
// made again the usual way.
type earlyProof struct {
	instances int
	proof     *bluegreen.Background[[]bluegreen.Verification]
}

// startEarly runs prove, for that many new instances, until it ends or stop.
func startEarly(ctx context.Context, instances int, prove func(context.Context) ([]bluegreen.Verification, error)) *earlyProof {
	return &earlyProof{instances: instances, proof: bluegreen.Start(ctx, prove)}
}

// result waits for the proof, unless it proves another instance count than CC reports, and
// returns what it proved; ok is false when it must be made again.
func (e *earlyProof) result(ctx context.Context, instances int) (proved []bluegreen.Verification, ok bool) {
	if e == nil {
		return nil, false
	}
	if e.instances != instances {
		e.stop()
		return nil, false
	}
	proved, err := e.proof.Result(ctx)
	return proved, err == nil
}

// stop ends the proof and waits for it to return.
func (e *earlyProof) stop() {
	if e != nil {
		e.proof.Stop()
	}
}

// ahead is the early proofs of one deployment: for the pause CAPI is rolling towards, and for
// the end. Only the watch's goroutine touches it.
type ahead struct {
	step  int // the canary step pause proves
	pause *earlyProof
	final *earlyProof
}

// pauseProof is the early proof of the pause at step, when there is one and it proved that
// many instances.
func (a *ahead) pauseProof(ctx context.Context, step, instances int) ([]bluegreen.Verification, bool) {
	if a.pause == nil || a.step != step {
		return nil, false
	}
	p := a.pause
	a.pause = nil
	return p.result(ctx, instances)
}

// finalProof is the early proof of the end, when there is one and it proved that many
// instances.
func (a *ahead) finalProof(ctx context.Context, instances int) ([]bluegreen.Verification, bool) {
	p := a.final
	a.final = nil
	return p.result(ctx, instances)
}

// stop ends every proof still running.
func (a *ahead) stop() {
	a.pause.stop()
	a.final.stop()
	*a = ahead{}
}
