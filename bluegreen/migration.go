package bluegreen

import (
	"context"
	"fmt"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// Migration is a one-off command (a schema migration) run once as a task on the new version's
// droplet, with the new version's environment and bindings, before it takes any traffic.
type Migration struct {
	Name             string // the task's name; the run's id is added to it
	Command          string
	MemoryMB, DiskMB int // 0 = CC's defaults
	Timeout          time.Duration
}

// MigrationResult is what the metadata says of a migration.
type MigrationResult struct {
	Task     string
	State    platform.TaskState
	Duration time.Duration
}

// Migrate runs m on app from droplet and waits for it to end, printing its log lines as they
// come (Log Cache's APP/TASK/<name>). A failed task fails with CC's reason; one still running at
// m.Timeout, or when the run is aborted, is cancelled first.
func (r *Run) Migrate(ctx context.Context, tasks Tasks, app *platform.App, droplet string, m *Migration) error {
	began := time.Now()
	t, err := tasks.RunTask(ctx, platform.TaskRequest{AppGUID: app.GUID, DropletGUID: droplet,
		Name: m.Name + "-" + NewID()[:6], Command: m.Command, MemoryMB: m.MemoryMB, DiskMB: m.DiskMB})
	if err != nil {
		return err
	}
	r.Log.Note("task %s runs %s on the new droplet", t.Name, m.Command)
	done, err := r.followTask(ctx, tasks, app, t, m.Timeout)
	r.Res.Migration = &MigrationResult{Task: t.Name, State: done.State, Duration: time.Since(began)}
	if err != nil {
		return err
	}
	if done.State != platform.TaskSucceeded {
		return fmt.Errorf("migration task %s failed: %s", t.Name, done.FailureReason)
	}
	return nil
}

// followTask waits for the task to end, printing its new log lines; at the deadline or an abort
// it cancels the task (that change runs to its end) and says why.
func (r *Run) followTask(ctx context.Context, tasks Tasks, app *platform.App, t platform.Task, timeout time.Duration) (platform.Task, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("the migration did not end within %s (params.migration.timeout)", timeout))
	defer cancel()
	printed, b := 0, poll.New()
	for {
		printed = r.printTaskLines(ctx, app, t.Name, printed)
		current, err := tasks.Task(ctx, t.GUID)
		if err == nil && current.Done() {
			r.printTaskLines(ctx, app, t.Name, printed)
			return current, nil
		}
		switch {
		case ctx.Err() != nil: // the deadline, or an abort
			return r.cancelTask(ctx, tasks, t, context.Cause(ctx))
		case err != nil: // the task's state cannot be read: it must not run on unwatched
			return r.cancelTask(ctx, tasks, t, err)
		}
		_ = b.Wait(ctx)
	}
}

// cancelTask cancels a task the run no longer waits for, and reports why it stopped waiting.
func (r *Run) cancelTask(ctx context.Context, tasks Tasks, t platform.Task, why error) (platform.Task, error) {
	ctx, cancel := Uninterrupted(ctx)
	defer cancel()
	if err := tasks.CancelTask(context.WithoutCancel(ctx), t.GUID); err != nil {
		return t, fmt.Errorf("%w; cancelling task %s failed too: %v", why, t.Name, err)
	}
	r.Log.Fail("task %s cancelled", t.Name)
	t.State = platform.TaskFailed
	return t, fmt.Errorf("%w; task %s cancelled", why, t.Name)
}

// printTaskLines prints the task's log lines after the first printed ones; it returns how many
// it has printed in all.
func (r *Run) printTaskLines(ctx context.Context, app *platform.App, name string, printed int) int {
	lines, err := r.CC.RecentLogs(ctx, app.GUID, evidenceRead)
	if err != nil {
		return printed
	}
	mine := lastOf(lines, func(l platform.LogLine) bool { return l.Source == "APP/TASK/"+name }, evidenceRead)
	for _, l := range mine[min(printed, len(mine)):] {
		r.Log.Note("[%s %s] %s", "APP/TASK/"+name, streamOf(l), clip(l.Message))
	}
	return max(printed, len(mine))
}

func streamOf(l platform.LogLine) string {
	if l.Stderr {
		return "ERR"
	}
	return "OUT"
}
