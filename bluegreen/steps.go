package bluegreen

import (
	"context"
	"fmt"
)

// Step is a named phase of a run.
type Step struct {
	Name string
	Do   func(context.Context) error
}

// Steps runs steps in turn, logging each; an error names the step. Between two steps is the safe
// point where an abort stops the run if no wait noticed it first.
func (r *Run) Steps(ctx context.Context, steps []Step) error {
	for _, s := range steps {
		r.step = s.Name
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", s.Name, r.Failed(ctx, context.Cause(ctx)))
		}
		if err := r.Log.Step(s.Name, func() error { return s.Do(ctx) }); err != nil {
			return fmt.Errorf("%s: %w", s.Name, r.Failed(ctx, err))
		}
	}
	return nil
}

// Phase runs one logged step whose error stays its own (nothing has changed yet, or the caller
// names it).
func (r *Run) Phase(ctx context.Context, name string, do func(context.Context) error) error {
	r.step = name
	return r.Failed(ctx, r.Log.Step(name, func() error { return do(ctx) }))
}

// At records the step the run is at, for an abort's report, without logging it.
func (r *Run) At(step string) { r.step = step }

// Short names a droplet by the start of its checksum.
func Short(sha string) string {
	if len(sha) > 12 {
		return "sha256:" + sha[:12]
	}
	return sha
}
