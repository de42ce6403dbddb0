package cf

import (
	"context"
	"fmt"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// RunTask starts a task on the app from the droplet given. Task names are the caller's to make
// unique (the engine adds its run's id): a lost answer is then found by name, never run twice.
func (c *Client) RunTask(ctx context.Context, r platform.TaskRequest) (platform.Task, error) {
	req := &resource.TaskCreate{Command: &r.Command, Name: &r.Name}
	if r.DropletGUID != "" {
		req.DropletGUID = &r.DropletGUID
	}
	if r.MemoryMB > 0 {
		req.MemoryInMB = &r.MemoryMB
	}
	if r.DiskMB > 0 {
		req.DiskInMB = &r.DiskMB
	}
	return create(ctx, c.retry, fmt.Sprintf("run task %q on app %s", r.Name, r.AppGUID), func() (platform.Task, error) {
		t, err := c.cf.Tasks.Create(ctx, r.AppGUID, req)
		if err != nil {
			return platform.Task{}, err
		}
		return toTask(t), nil
	}, func() (platform.Task, bool, error) { return c.taskNamed(ctx, r.AppGUID, r.Name) })
}

func (c *Client) taskNamed(ctx context.Context, appGUID, name string) (platform.Task, bool, error) {
	opts := client.NewTaskListOptions()
	opts.Names.EqualTo(name)
	tasks, err := c.cf.Tasks.ListForAppAll(ctx, appGUID, opts)
	if err != nil || len(tasks) == 0 {
		return platform.Task{}, false, err
	}
	return toTask(tasks[len(tasks)-1]), true, nil
}

func toTask(t *resource.Task) platform.Task {
	out := platform.Task{GUID: t.GUID, Name: t.Name, State: platform.TaskState(t.State)}
	if t.Result.FailureReason != nil {
		out.FailureReason = *t.Result.FailureReason
	}
	return out
}

// Task reads a task.
func (c *Client) Task(ctx context.Context, guid string) (platform.Task, error) {
	t, err := c.cf.Tasks.Get(ctx, guid)
	if err != nil {
		return platform.Task{}, fmt.Errorf("read task %s: %w", guid, err)
	}
	return toTask(t), nil
}

// CancelTask stops a running task. CC refuses to cancel a task that already ended, so a
// failure is followed by a look at the task.
func (c *Client) CancelTask(ctx context.Context, guid string) error {
	return act(ctx, c.retry, "cancel task "+guid,
		func() error { _, err := c.cf.Tasks.Cancel(ctx, guid); return err },
		func() (bool, error) {
			t, err := c.Task(ctx, guid)
			return t.Done() || t.State == platform.TaskCanceling, err
		})
}
