package cfsim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// instance is one Diego ActualLRP: a real process running the droplet on a free port.
type instance struct {
	processGUID string
	appGUID     string
	index       int
	guid        string
	state       string // STARTING, RUNNING, CRASHED, DOWN (docs/platform/apps-and-staging.md#instance-states)
	routable    bool
	port        int
	since       time.Time
	crashes     int
	details     string // placement error for DOWN
	version     string // the process's LRP version it was started for
	memoryMB    int
	stop        context.CancelFunc
}

// lrpSpec is what an instance needs to run, copied from CC's state when it is placed.
type lrpSpec struct {
	dir, command      string
	env               []string
	health, readiness healthCheck
	appGUID, appName  string
	processGUID, kind string
	index             int
}

// diego starts, supervises and stops instances.
type diego struct {
	s  *Sim
	wg sync.WaitGroup
}

func newDiego(s *Sim) *diego { return &diego{s: s} }

// Diego's restart policy: the first three crashes restart at once, later ones back off
// exponentially, and it gives up after 200
// (docs/platform/deployments.md#no-timeout-and-no-automatic-rollbackunverified there).
const (
	immediateRestarts = 3
	maxCrashes        = 200
	defaultInterval   = 30 * time.Second // Diego's liveness/readiness check interval
	invocationTimeout = time.Second
	stopGrace         = 2 * time.Second // time between SIGTERM and SIGKILL (Diego gives 10 s)
)

func (d *diego) restartDelay(crashes int) time.Duration {
	if crashes <= immediateRestarts {
		return 50 * time.Millisecond
	}
	delay := d.s.cfg.CrashBackoff << min(crashes-immediateRestarts-1, 5)
	return delay
}

// shouldRun: the process is desired, its app STARTED, and it has a droplet to run.
func (s *Sim) shouldRun(p *process) bool {
	a := s.apps[p.appGUID]
	return a != nil && a.state == "STARTED" && p.running && p.runDroplet != ""
}

// converge makes the actual LRPs match the desired ones: stops surplus or outdated
// instances and places missing ones. Callers hold s.mu.
func (s *Sim) converge() {
	for pguid, byIndex := range s.instances {
		p := s.processes[pguid]
		for idx, inst := range byIndex {
			if p == nil || !s.shouldRun(p) || idx >= p.instances || inst.version != p.lrpVersion || inst.state == "DOWN" {
				s.diego.remove(pguid, idx)
			}
		}
	}
	for _, p := range sorted(s.processes, func(p *process) int64 { return p.seq }) {
		if !s.shouldRun(p) {
			continue
		}
		for i := 0; i < p.instances; i++ {
			if s.instances[p.guid][i] == nil {
				s.diego.place(p, i)
			}
		}
	}
}

// remove stops an instance; the route-emitter sees it gone at once. Callers hold s.mu.
func (d *diego) remove(processGUID string, index int) {
	inst := d.s.instances[processGUID][index]
	if inst == nil {
		return
	}
	delete(d.s.instances[processGUID], index)
	if len(d.s.instances[processGUID]) == 0 {
		delete(d.s.instances, processGUID)
	}
	if inst.stop != nil {
		inst.stop()
	}
}

func (d *diego) usedMemory() int {
	used := 0
	for _, byIndex := range d.s.instances {
		for _, inst := range byIndex {
			if inst.state != "DOWN" {
				used += inst.memoryMB
			}
		}
	}
	return used
}

// place starts instance index of p, or marks it DOWN with a placement error when the cells
// lack memory. Callers hold s.mu.
func (d *diego) place(p *process, index int) {
	s := d.s
	inst := &instance{processGUID: p.guid, appGUID: p.appGUID, index: index, guid: newInstanceGUID(),
		state: "STARTING", since: time.Now(), version: p.lrpVersion, memoryMB: p.memoryMB}
	if s.instances[p.guid] == nil {
		s.instances[p.guid] = map[int]*instance{}
	}
	s.instances[p.guid][index] = inst
	if s.cfg.CellMemoryMB > 0 && d.usedMemory() > s.cfg.CellMemoryMB {
		inst.state, inst.details = "DOWN", "insufficient resources: memory"
		return
	}
	spec := s.lrpSpecFor(p, inst)
	ctx, cancel := context.WithCancel(s.ctx)
	inst.stop = cancel
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.run(ctx, inst, spec)
	}()
}

func (s *Sim) lrpSpecFor(p *process, inst *instance) lrpSpec {
	a := s.apps[p.appGUID]
	spec := lrpSpec{dir: s.runDir(p.runDroplet), command: p.runCommand, health: p.health,
		readiness: p.readiness, appGUID: a.guid, appName: a.name, processGUID: p.guid, kind: p.kind, index: inst.index}
	spec.env = append(os.Environ()[:0:0], "PATH="+os.Getenv("PATH"), "HOME="+spec.dir, "TMPDIR="+os.TempDir(),
		"LANG=en_US.UTF-8", "USER=vcap", "MEMORY_LIMIT="+strconv.Itoa(p.memoryMB)+"m",
		"CF_INSTANCE_INDEX="+strconv.Itoa(inst.index), "INSTANCE_INDEX="+strconv.Itoa(inst.index),
		"CF_INSTANCE_GUID="+inst.guid, "CF_INSTANCE_IP=127.0.0.1", "CF_INSTANCE_INTERNAL_IP=127.0.0.1",
		"VCAP_SERVICES={}", "VCAP_APP_HOST=0.0.0.0",
		"BIND_HOST=127.0.0.1") // not CF's: keeps every simulated app on loopback
	for k, v := range p.runEnv {
		spec.env = append(spec.env, k+"="+v)
	}
	spec.env = append(spec.env, "VCAP_APPLICATION="+mustJSON(s.vcapApplication(a, p)))
	return spec
}

// run is an instance's life: start, health-check, supervise; on a crash, restart with
// Diego's back-off. It returns when the instance is stopped.
func (d *diego) run(ctx context.Context, inst *instance, spec lrpSpec) {
	for {
		reason := d.runOnce(ctx, inst, spec)
		if ctx.Err() != nil {
			return
		}
		crashes := d.crashed(inst, spec, reason)
		if crashes >= maxCrashes {
			return
		}
		select {
		case <-time.After(d.restartDelay(crashes)):
		case <-ctx.Done():
			return
		}
	}
}

// runOnce starts the process and supervises it until it crashes (returning the reason) or
// the context ends.
func (d *diego) runOnce(ctx context.Context, inst *instance, spec lrpSpec) string {
	port, err := freePort()
	if err != nil {
		return "failed to allocate a port: " + err.Error()
	}
	d.update(ctx, inst, func() {
		inst.state, inst.port, inst.routable, inst.since = "STARTING", port, false, time.Now()
	})
	env := append(spec.env, "PORT="+strconv.Itoa(port), "CF_INSTANCE_PORT="+strconv.Itoa(port),
		"CF_INSTANCE_ADDR=127.0.0.1:"+strconv.Itoa(port))
	c := spec.instanceContainer(d.s, inst.guid)
	c.created()
	proc, err := d.s.startProcess(spec.dir, spec.command, env, c.run)
	if err != nil {
		c.failedToCreate(err)
		return fmt.Sprintf("APP/PROC/%s: failed to start: %v", upper(spec.kind), err)
	}
	c.cellLines("Starting health monitoring of container")
	reason := d.awaitHealthy(ctx, inst, spec, port, proc)
	if reason == "" {
		reason = d.supervise(ctx, inst, spec, port, proc)
	}
	if ctx.Err() != nil { // Diego stops the instance: the app gets SIGTERM
		c.stopping()
		proc.kill()
		c.exited(proc.exitCode)
	} else { // it crashed: the process has ended, or is killed as unhealthy
		proc.kill()
		c.exited(proc.exitCode)
		c.stopping()
	}
	c.destroyed()
	return reason
}

// awaitHealthy polls the liveness check until it passes, the process exits, or the
// start-up timeout (health_check.data.timeout, default 60 s) runs out.
func (d *diego) awaitHealthy(ctx context.Context, inst *instance, spec lrpSpec, port int, proc *osProcess) string {
	timeout := time.Duration(defaultHealthS) * time.Second
	if spec.health.timeout != nil {
		timeout = time.Duration(*spec.health.timeout) * time.Second
	}
	deadline := time.After(timeout)
	tick := time.NewTicker(d.s.cfg.HealthPoll)
	defer tick.Stop()
	var lastErr error
	for {
		if lastErr = check(ctx, spec.health, port); lastErr == nil {
			ready := check(ctx, spec.readiness, port) == nil
			d.update(ctx, inst, func() {
				inst.state, inst.routable, inst.since = "RUNNING", ready, time.Now()
				d.s.emit(spec.instanceContainer(d.s, inst.guid).cell, "OUT", "Container became healthy")
			})
			return ""
		}
		select {
		case <-ctx.Done():
			return ""
		case <-proc.exited:
			return proc.exitDescription(spec)
		case <-deadline:
			spec.instanceContainer(d.s, inst.guid).cellLines(
				fmt.Sprintf("Failed after %s: startup health check never passed.", timeout))
			return fmt.Sprintf("Instance never healthy after %s: %v", timeout, lastErr)
		case <-tick.C:
		}
	}
}

// supervise watches a RUNNING instance: process exit or a failed liveness check crashes it;
// the readiness check flips routable.
func (d *diego) supervise(ctx context.Context, inst *instance, spec lrpSpec, port int, proc *osProcess) string {
	tick := time.NewTicker(interval(spec.health))
	defer tick.Stop()
	ready := time.NewTicker(interval(spec.readiness))
	defer ready.Stop()
	for {
		select {
		case <-ctx.Done():
			return ""
		case <-proc.exited:
			return proc.exitDescription(spec)
		case <-tick.C:
			if err := check(ctx, spec.health, port); err != nil {
				return "Instance became unhealthy: " + err.Error()
			}
		case <-ready.C:
			ok := check(ctx, spec.readiness, port) == nil
			d.update(ctx, inst, func() { inst.routable = ok })
		}
	}
}

func interval(h healthCheck) time.Duration {
	if h.interval != nil && *h.interval > 0 {
		return time.Duration(*h.interval) * time.Second
	}
	return defaultInterval
}

// check runs one health or readiness check: port (TCP connect), http (200 from the
// endpoint) or process (always passes while the process runs).
func check(ctx context.Context, h healthCheck, port int) error {
	timeout := invocationTimeout
	if h.invocationTimeout != nil && *h.invocationTimeout > 0 {
		timeout = time.Duration(*h.invocationTimeout) * time.Second
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	switch h.kind {
	case "port":
		c, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			return fmt.Errorf("Failed to make TCP connection to port %d: connection refused", port)
		}
		return c.Close()
	case "http":
		return checkHTTP(ctx, "http://"+addr+h.endpoint, timeout)
	}
	return nil
}

func checkHTTP(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("Failed to make HTTP request to '%s': %v", req.URL.Path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("Failed to make HTTP request to '%s': received status code %d", req.URL.Path, resp.StatusCode)
	}
	return nil
}

// update changes an instance under s.mu unless it has been stopped meanwhile.
func (d *diego) update(ctx context.Context, inst *instance, f func()) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	f()
	d.s.changed()
}

// crashed marks the instance CRASHED and records a crash event, as Diego and CC do.
func (d *diego) crashed(inst *instance, spec lrpSpec, reason string) int {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	inst.crashes++
	inst.state, inst.routable, inst.since = "CRASHED", false, time.Now()
	d.s.recordEvent("audit.app.process.crash", spec.appGUID, spec.appName, map[string]any{
		"index": spec.index, "reason": "CRASHED", "exit_description": reason, "crash_count": inst.crashes,
		"crash_timestamp": time.Now().UnixNano(), "instance": inst.guid, "process_type": spec.kind,
	})
	d.s.logCrash(spec, inst, reason)
	d.s.changed()
	return inst.crashes
}

func (d *diego) stopAll() { d.wg.Wait() }

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// osProcess is a started command in its own process group, so stopping it stops its
// children too.
type osProcess struct {
	cmd      *exec.Cmd
	exited   chan struct{}
	exitCode int
}

func (s *Sim) startProcess(dir, command string, env []string, src logSource) (*osProcess, error) {
	cmd := commandFor(dir, command)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = s.logWriter(src, "OUT"), s.logWriter(src, "ERR")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &osProcess{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		p.exitCode = exitStatus(cmd.ProcessState)
		close(p.exited)
	}()
	return p, nil
}

// commandFor runs command as Diego's launcher does, through a shell, unless it is a plain
// program with arguments: then it is run directly, so that the suites also run inside the
// resource's image, which has no shell.
func commandFor(dir, command string) *exec.Cmd {
	cmd := exec.Command("/bin/sh", "-c", command)
	if fields := strings.Fields(command); len(fields) > 0 && !strings.ContainsAny(command, "$|&;<>()'\"\\`*?~{}[]=#") {
		cmd = exec.Command(fields[0], fields[1:]...)
	}
	cmd.Dir = dir
	return cmd
}

func (p *osProcess) exitDescription(spec lrpSpec) string {
	return fmt.Sprintf("APP/PROC/%s: Exited with status %d", upper(spec.kind), p.exitCode)
}

// kill sends SIGTERM to the process group, then SIGKILL after the grace period.
func (p *osProcess) kill() {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopGrace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
}
