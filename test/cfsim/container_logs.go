package cfsim

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// cellID names the simulated Diego cell in the lines its executor writes.
const cellID = "cfsim-cell-0"

// container writes the lines Diego's executor writes about one container: CELL lines for
// its life, and "Exit status N" on the stream of the process it ran (the run step's).
type container struct {
	s    *Sim
	cell logSource // CELL/<index>; STG/0 while staging, as a staging task logs everything as STG
	run  logSource // the process's own source: APP/PROC/WEB/0, APP/TASK/<name>/0, STG/0
	guid string    // the instance, task or staging task guid
}

// instanceContainer is the container of one LRP instance.
func (spec lrpSpec) instanceContainer(s *Sim, instanceGUID string) container {
	index := strconv.Itoa(spec.index)
	extra := map[string]string{"process_id": spec.processGUID, "process_type": spec.kind,
		"process_instance_id": instanceGUID, "instance_id": index}
	run := logSource{appGUID: spec.appGUID, sourceType: "APP/PROC/" + upper(spec.kind), instance: index, origin: "rep", extra: extra}
	cell := run
	cell.sourceType = "CELL"
	return container{s: s, cell: cell, run: run, guid: instanceGUID}
}

// taskContainer is the container of a task: its output is APP/TASK/<name>, its life CELL/0.
func taskContainer(s *Sim, t *task) container {
	run := logSource{appGUID: t.appGUID, sourceType: "APP/TASK/" + t.name, instance: "0", origin: "rep"}
	cell := run
	cell.sourceType = "CELL"
	return container{s: s, cell: cell, run: run, guid: t.guid}
}

// stagingContainer is a staging task's container: everything it writes is STG/0.
func stagingContainer(s *Sim, appGUID string) container {
	src := logSource{appGUID: appGUID, sourceType: "STG", instance: "0", origin: "rep"}
	return container{s: s, cell: src, run: src, guid: newInstanceGUID()}
}

func (c container) cellLines(lines ...string) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.emit(c.cell, "OUT", lines...)
}

// output writes lines on the run step's stream, OUT or ERR.
func (c container) output(stream string, lines ...string) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.emit(c.run, stream, lines...)
}

func (c container) created() {
	c.cellLines(fmt.Sprintf("Cell %s creating container for instance %s", cellID, c.guid),
		fmt.Sprintf("Cell %s successfully created container for instance %s", cellID, c.guid))
}

func (c container) failedToCreate(err error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.emit(c.cell, "ERR", fmt.Sprintf("Cell %s failed to create container for instance %s: %v", cellID, c.guid, err))
}

func (c container) exited(status int) { c.output("OUT", fmt.Sprintf("Exit status %d", status)) }

func (c container) stopping() {
	c.cellLines(fmt.Sprintf("Cell %s stopping instance %s", cellID, c.guid))
}

func (c container) destroyed() {
	c.cellLines(fmt.Sprintf("Cell %s destroying container for instance %s", cellID, c.guid),
		fmt.Sprintf("Cell %s successfully destroyed container for instance %s", cellID, c.guid))
}

// exitStatus is the status Diego reports: the exit code, or 128+N for a process killed by
// signal N, as a shell would.
func exitStatus(state *os.ProcessState) int {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}

// logCrash writes Cloud Controller's lines for a crash Diego reported, with the exit
// description in the payload as CC prints it (a Ruby hash). Callers hold s.mu.
func (s *Sim) logCrash(spec lrpSpec, inst *instance, reason string) {
	api := logSource{appGUID: spec.appGUID, sourceType: "API", instance: "0", origin: "cloud_controller"}
	payload := fmt.Sprintf(`{"instance"=>%q, "index"=>%d, "cell_id"=>%q, "reason"=>"CRASHED", "exit_description"=>%q, `+
		`"crash_count"=>%d, "crash_timestamp"=>%d, "version"=>%q}`,
		inst.guid, spec.index, cellID, reason, inst.crashes, time.Now().UnixNano(), inst.version)
	s.emit(api, "OUT", fmt.Sprintf("Process has crashed with type: %q", spec.kind),
		"App instance exited with guid "+spec.appGUID+" payload: "+payload)
}
