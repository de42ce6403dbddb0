package bluegreen

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// StartAll starts the app and waits until every instance of every process type runs, within
// params.startup_timeout; a crash of any process type fails at once with the crash reasons.
func (r *Run) StartAll(ctx context.Context, app *platform.App) error {
	if err := r.CC.Start(ctx, app.GUID); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, r.Timeouts.Startup,
		fmt.Errorf("instances were not all running after %s (params.startup_timeout)", r.Timeouts.Startup))
	defer cancel()
	// The process types and their sizes are set before the start: they are read once, and
	// only the instances at every read.
	procs, err := r.CC.AppProcesses(ctx, app.GUID)
	if err != nil {
		return err
	}
	b := poll.New()
	for {
		done, err := r.running(ctx, app, procs)
		if err != nil || done {
			return err
		}
		if err := b.Wait(ctx); err != nil {
			return fmt.Errorf("%w; %s", err, r.processStates(context.WithoutCancel(ctx), app))
		}
	}
}

// AllRunning reports whether every instance of every process type of the app runs; a crashed
// instance is an error naming its process type, with the crash reasons.
func (r *Run) AllRunning(ctx context.Context, app *platform.App) (bool, error) {
	procs, err := r.CC.AppProcesses(ctx, app.GUID)
	if err != nil {
		return false, err
	}
	return r.running(ctx, app, procs)
}

// running reports whether every instance of the given process types runs.
func (r *Run) running(ctx context.Context, app *platform.App, procs []platform.Process) (bool, error) {
	all := true
	for _, p := range procs {
		if p.Instances == 0 {
			continue
		}
		insts, err := r.CC.TypeInstances(ctx, app.GUID, p.Type)
		if err != nil {
			return false, err
		}
		if err := r.crashedType(ctx, app.GUID, p.Type, insts); err != nil {
			return false, err
		}
		all = all && running(insts) >= p.Instances
	}
	return all, nil
}

// Settle watches every process of the app for d: an instance that crashes meanwhile (an app that
// crashes late) fails it. Nothing is stopped before the new version has settled.
func (r *Run) Settle(ctx context.Context, app *platform.App, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	window, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	b := poll.New()
	for {
		if _, err := r.AllRunning(ctx, app); err != nil {
			return fmt.Errorf("during the settle window (params.settle %s): %w", d, err)
		}
		if window.Err() != nil { // the last read was at the window's end
			return context.Cause(ctx)
		}
		_ = b.Wait(window)
	}
}

func (r *Run) crashedType(ctx context.Context, appGUID, processType string, insts []platform.Instance) error {
	if processType == "web" {
		return r.crashed(ctx, appGUID, insts)
	}
	if err := r.crashed(ctx, appGUID, insts); err != nil {
		return fmt.Errorf("%s process: %w", processType, err)
	}
	return nil
}

// processStates describes every process type's instances, for an error: "instances: ..." for
// an app with one process type, "web instances: ...; worker instances: ..." for more.
func (r *Run) processStates(ctx context.Context, app *platform.App) string {
	procs, err := r.CC.AppProcesses(ctx, app.GUID)
	if err != nil {
		return "instances: not readable"
	}
	var parts []string
	for _, p := range procs {
		if insts, err := r.CC.TypeInstances(ctx, app.GUID, p.Type); err == nil && p.Instances > 0 {
			parts = append(parts, p.Type+" instances: "+Describe(insts))
		}
	}
	if len(parts) == 1 {
		_, one, _ := strings.Cut(parts[0], " ")
		return one
	}
	return strings.Join(parts, "; ")
}
