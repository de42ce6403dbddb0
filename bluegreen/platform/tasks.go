package platform

// TaskRequest asks for a one-off task on an app, run from a given droplet (the app's current
// one when DropletGUID is empty), with the app's environment and bindings.
type TaskRequest struct {
	AppGUID     string
	DropletGUID string
	Name        string
	Command     string
	MemoryMB    int // 0 = CC's default
	DiskMB      int // 0 = CC's default
}

// Task is what the engine reads of a task.
type Task struct {
	GUID          string
	Name          string
	State         TaskState
	FailureReason string // set when FAILED
}

// Done reports whether the task has finished, either way.
func (t Task) Done() bool { return t.State == TaskSucceeded || t.State == TaskFailed }
