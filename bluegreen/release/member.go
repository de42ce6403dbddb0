package release

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

// member is one app's flow running in a release: the release and the flow meet at the flow's
// two hold points through these channels.
type member struct {
	App
	log      *bluegreen.Timeline
	leased   chan struct{} // closed by the flow once leased
	proven   chan struct{} // closed by the flow once proven
	leaseGo  chan error    // the release's answer at the lease: nil goes on
	provenGo chan error    // the release's answer once proven: nil commits
	done     chan struct{} // closed when the flow returned res and err
	started  bool
	res      bluegreen.Result
	err      error
}

func newMember(a App, log *bluegreen.Timeline) *member {
	// The answers are buffered: the release never waits on a flow that already left its hold
	// (an abort ends every hold at once).
	return &member{App: a, log: log.For(a.Name), leased: make(chan struct{}), proven: make(chan struct{}),
		leaseGo: make(chan error, 1), provenGo: make(chan error, 1), done: make(chan struct{})}
}

// start runs the app's flow.
func (m *member) start(ctx context.Context) {
	m.started = true
	hold := bluegreen.Hold{
		Leased: func(ctx context.Context) error { return m.park(ctx, m.leased, m.leaseGo) },
		Proven: func(ctx context.Context) error { return m.park(ctx, m.proven, m.provenGo) },
	}
	go func() {
		defer close(m.done)
		m.res, m.err = m.Deploy(ctx, hold, m.log)
	}()
}

// park tells the release the flow reached a hold point and waits for its answer, or an abort.
func (m *member) park(ctx context.Context, reached chan struct{}, answer chan error) error {
	close(reached)
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// waitFor waits until the flow reaches a hold point, or ends: then with its error (a flow that
// ended without reaching it, successfully, has nothing left to hold: it counts as reached).
func (m *member) waitFor(point chan struct{}) error {
	select {
	case <-point:
		return nil
	case <-m.done:
		return m.err
	}
}

// reached reports whether the flow got to a hold point.
func (m *member) reached(point chan struct{}) bool {
	select {
	case <-point:
		return true
	default:
		return false
	}
}

// ended reports whether the flow has returned.
func (m *member) ended() bool { return m.reached(m.done) }

// goOn answers the flow at a hold point; an answer it will never read stays in the buffer.
func (m *member) goOn(answer chan error, err error) {
	select {
	case answer <- err:
	default: // answered already
	}
}

// wait waits for the flow's end and returns its error; a flow never started has none.
func (m *member) wait() error {
	if !m.started {
		return nil
	}
	<-m.done
	return m.err
}
