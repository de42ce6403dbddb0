package bluegreen

import "context"

// Background is work started ahead of the step that needs its result, so that its waiting
// overlaps another's (an upload while CC applies the manifest, a proof through the routers
// while CAPI rolls on). Whoever starts it calls Result or Stop before the run goes on to undo
// anything, so nothing of it outlives the step that wanted it.
type Background[T any] struct {
	cancel context.CancelFunc
	done   chan struct{}
	val    T
	err    error
}

// Start runs do in a goroutine, with a context Stop cancels.
func Start[T any](ctx context.Context, do func(context.Context) (T, error)) *Background[T] {
	ctx, cancel := context.WithCancel(ctx)
	b := &Background[T]{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		b.val, b.err = do(ctx)
	}()
	return b
}

// Result waits for the work to end, or for ctx, which stops it.
func (b *Background[T]) Result(ctx context.Context) (T, error) {
	select {
	case <-b.done:
		return b.val, b.err
	case <-ctx.Done():
		b.Stop()
		var zero T
		return zero, context.Cause(ctx)
	}
}

// Stop cancels the work and waits for it to return; a nil Background has nothing to stop.
func (b *Background[T]) Stop() {
	if b != nil {
		b.cancel()
		<-b.done
	}
}
