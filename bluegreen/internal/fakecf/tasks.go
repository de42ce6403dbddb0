package fakecf

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// A task's outcome is read from its command, as test/apps/versioned's migrate mode behaves:
// --exit N (N > 0) fails with CC's reason, --sleep keeps it running until cancelled, anything
// else succeeds. Each run writes the app's APP/TASK/<name> lines into the Logs knob.
var exitFlag = regexp.MustCompile(`--exit[ =](\d+)`)

type fakeTask struct {
	platform.Task
	req platform.TaskRequest
}

// TaskRuns lists every task run, oldest first.
func (f *Foundation) TaskRuns() []platform.TaskRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []platform.TaskRequest
	for _, t := range f.tasks {
		out = append(out, t.req)
	}
	return out
}

func (f *Foundation) RunTask(_ context.Context, r platform.TaskRequest) (platform.Task, error) {
	c, err := f.record(Call{Method: "RunTask", Args: []string{r.AppGUID, r.DropletGUID, r.Name}})
	if err != nil {
		return platform.Task{}, err
	}
	defer f.done(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.app(r.AppGUID)
	if err != nil {
		return platform.Task{}, err
	}
	if r.DropletGUID == "" && a.Droplet == "" {
		return platform.Task{}, fmt.Errorf("CF-UnprocessableEntity: Task must have a droplet. Assign current droplet to app.")
	}
	t := &fakeTask{Task: platform.Task{GUID: f.newGUID("task"), Name: r.Name, State: platform.TaskRunning}, req: r}
	if m := exitFlag.FindStringSubmatch(r.Command); m != nil && m[1] != "0" {
		t.State, t.FailureReason = platform.TaskFailed, "APP/TASK/"+r.Name+": Exited with status "+m[1]
	} else if !strings.Contains(r.Command, "--sleep") {
		t.State = platform.TaskSucceeded
	}
	f.tasks = append(f.tasks, t)
	f.Logs[a.Name] = append(f.Logs[a.Name], platform.LogLine{Time: time.Now(), Source: "APP/TASK/" + r.Name,
		Index: "0", Message: "running " + r.Command})
	return t.Task, nil
}

func (f *Foundation) Task(_ context.Context, guid string) (platform.Task, error) {
	return read(f, &f.mu, Call{Method: "Task", Args: []string{guid}}, func() (platform.Task, error) {
		for _, t := range f.tasks {
			if t.GUID == guid {
				return t.Task, nil
			}
		}
		return platform.Task{}, fmt.Errorf("CF-ResourceNotFound: task %s", guid)
	})
}

func (f *Foundation) CancelTask(_ context.Context, guid string) error {
	return f.locked(Call{Method: "CancelTask", Args: []string{guid}}, func() error {
		for _, t := range f.tasks {
			if t.GUID == guid && !t.Done() {
				t.State, t.FailureReason = platform.TaskFailed, "task was cancelled"
				return nil
			}
			if t.GUID == guid {
				return fmt.Errorf("CF-UnprocessableEntity: Task state is %s and therefore cannot be canceled", t.State)
			}
		}
		return fmt.Errorf("CF-ResourceNotFound: task %s", guid)
	})
}
