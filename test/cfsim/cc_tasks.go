package cfsim

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

func (s *Sim) routeTasks(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/apps/{guid}/tasks", s.withApp(s.createTask))
	mux.HandleFunc("GET /v3/apps/{guid}/tasks", s.withApp(s.listAppTasks))
	mux.HandleFunc("GET /v3/tasks", s.listTasks)
	mux.HandleFunc("GET /v3/tasks/{guid}", s.withTask(s.getTask))
	mux.HandleFunc("POST /v3/tasks/{guid}/actions/cancel", s.withTask(s.cancelTask))
}

func (s *Sim) withTask(h func(http.ResponseWriter, *http.Request, *task)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		t, ok := s.tasks[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Task"))
			return
		}
		h(w, r, t)
	}
}

func (s *Sim) presentTask(t *task) map[string]any {
	path := "/v3/tasks/" + t.guid
	var reason any
	if t.failure != "" {
		reason = t.failure
	}
	return map[string]any{
		"guid": t.guid, "sequence_id": t.sequenceID, "name": t.name, "command": t.command, "state": t.state,
		"memory_in_mb": t.memoryMB, "disk_in_mb": t.diskMB, "log_rate_limit_in_bytes_per_second": -1,
		"result": map[string]any{"failure_reason": reason}, "droplet_guid": t.dropletGUID,
		"relationships": map[string]any{"app": rel(t.appGUID)}, "metadata": t.meta.present(),
		"created_at": timestamp(t.created), "updated_at": timestamp(t.updated),
		"links": map[string]any{"self": link(s.base, path), "app": link(s.base, "/v3/apps/"+t.appGUID),
			"cancel": linkMethod(s.base, path+"/actions/cancel", "POST"), "droplet": link(s.base, "/v3/droplets/"+t.dropletGUID)},
	}
}

// createTask runs a one-off command on a droplet (the app's current one unless named), e.g.
// a migration against a droplet that is not deployed yet.
func (s *Sim) createTask(w http.ResponseWriter, r *http.Request, a *app) {
	var body struct {
		Command     string         `json:"command"`
		Name        string         `json:"name"`
		DropletGUID string         `json:"droplet_guid"`
		MemoryMB    int            `json:"memory_in_mb"`
		DiskMB      int            `json:"disk_in_mb"`
		Metadata    *metadataPatch `json:"metadata"`
	}
	if err := decodeBody(r, &body, "command", "name", "droplet_guid", "memory_in_mb", "disk_in_mb",
		"log_rate_limit_in_bytes_per_second", "template", "metadata"); err != nil {
		writeError(w, err)
		return
	}
	t, cerr := s.newTask(a, body.Command, body.Name, body.DropletGUID)
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	t.memoryMB, t.diskMB = max(body.MemoryMB, defaultMemoryMB), max(body.DiskMB, defaultDiskMB)
	t.meta.apply(body.Metadata)
	writeJSON(w, http.StatusAccepted, s.presentTask(t))
}

func (s *Sim) newTask(a *app, command, name, dropletGUID string) (*task, *ccError) {
	if dropletGUID == "" {
		dropletGUID = a.dropletGUID
	}
	d := s.droplets[dropletGUID]
	if d == nil || d.appGUID != a.guid || d.state != "STAGED" {
		return nil, errUnprocessable("Task must have a droplet. Assign current droplet to app.")
	}
	if command == "" {
		return nil, errUnprocessable("Command can't be blank")
	}
	seq := 1
	for _, t := range s.tasks {
		if t.appGUID == a.guid {
			seq++
		}
	}
	if name == "" {
		name = newGUID()[:8]
	}
	t := &task{base: s.nextBase(), appGUID: a.guid, name: name, command: command, dropletGUID: dropletGUID,
		state: "RUNNING", sequenceID: seq, meta: newMetadata()}
	s.tasks[t.guid] = t
	ctx, cancel := context.WithCancel(s.ctx)
	t.cancel = cancel
	runEnv := copyMap(a.env)
	runEnv["VCAP_SERVICES"] = string(s.vcapServices(a.guid))
	env := s.lrpSpecFor(&process{appGUID: a.guid, kind: "task", memoryMB: defaultMemoryMB, runEnv: runEnv},
		&instance{guid: newInstanceGUID()}).env
	dir := s.runDir(dropletGUID)
	s.goLoop(func(context.Context) { s.runTask(ctx, t, dir, env) })
	return t, nil
}

// runTask runs the command to completion: SUCCEEDED on exit 0, else FAILED with the reason
// CC reports.
func (s *Sim) runTask(ctx context.Context, t *task, dir string, env []string) {
	state, reason := s.runTaskProcess(ctx, t, dir, env)
	s.mu.Lock()
	defer s.mu.Unlock()
	t.state, t.failure, t.updated = state, reason, time.Now()
}

// runTaskProcess runs the task's container and writes its lines: CELL/0 for the container,
// APP/TASK/<name>/0 for the command's output and its exit status.
func (s *Sim) runTaskProcess(ctx context.Context, t *task, dir string, env []string) (string, string) {
	c := taskContainer(s, t)
	c.created()
	proc, err := s.startProcess(dir, t.command, env, c.run)
	if err != nil {
		c.failedToCreate(err)
		return "FAILED", "failed to start: " + err.Error()
	}
	state, reason := "SUCCEEDED", ""
	select {
	case <-proc.exited:
		if proc.exitCode != 0 {
			state, reason = "FAILED", fmt.Sprintf("%s: Exited with status %d", c.run.sourceType, proc.exitCode)
		}
		c.exited(proc.exitCode)
		c.stopping()
	case <-ctx.Done():
		c.stopping()
		proc.kill()
		c.exited(proc.exitCode)
		state, reason = "FAILED", "task was cancelled"
	}
	c.destroyed()
	return state, reason
}

func (s *Sim) cancelTask(w http.ResponseWriter, _ *http.Request, t *task) {
	if t.state != "RUNNING" && t.state != "PENDING" {
		writeError(w, errUnprocessable("Task state is "+t.state+" and therefore cannot be canceled"))
		return
	}
	t.state = "CANCELING"
	t.cancel()
	writeJSON(w, http.StatusAccepted, s.presentTask(t))
}

func (s *Sim) tasksWhere(r *http.Request, appGUID string) []any {
	q := r.URL.Query()
	var items []any
	for _, t := range sorted(s.tasks, func(t *task) int64 { return t.seq }) {
		if (appGUID == "" || t.appGUID == appGUID) && matches(listFilter(q, "app_guids"), t.appGUID) &&
			matches(listFilter(q, "states"), t.state) && matches(listFilter(q, "names"), t.name) &&
			matches(listFilter(q, "sequence_ids"), strconv.Itoa(t.sequenceID)) {
			items = append(items, s.presentTask(t))
		}
	}
	return items
}

func (s *Sim) listTasks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeList(w, r, s.base, s.tasksWhere(r, ""))
}

func (s *Sim) listAppTasks(w http.ResponseWriter, r *http.Request, a *app) {
	writeList(w, r, s.base, s.tasksWhere(r, a.guid))
}

func (s *Sim) getTask(w http.ResponseWriter, _ *http.Request, t *task) {
	writeJSON(w, http.StatusOK, s.presentTask(t))
}
