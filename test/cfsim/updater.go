package cfsim

import (
	"context"
	"math"
	"time"
)

// updaterLoop is cc_deployment_updater: every DeploymentInterval it scales DEPLOYING
// deployments, rolls canary steps (PREPAUSED) and finishes cancels
// (docs/platform/deployments.md#the-deployment-updater).
func (s *Sim) updaterLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.deploymentInterval()):
		}
		s.mu.Lock()
		for _, d := range sorted(s.deployments, func(d *deployment) int64 { return d.seq }) {
			s.updateOne(d)
		}
		s.mu.Unlock()
		s.changed()
	}
}

func (s *Sim) deploymentInterval() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.DeploymentInterval
}

// SetDeploymentInterval changes the updater's tick.
func (s *Sim) SetDeploymentInterval(d time.Duration) {
	s.mu.Lock()
	s.cfg.DeploymentInterval = d
	s.mu.Unlock()
}

func (s *Sim) updateOne(d *deployment) {
	switch d.state {
	case "DEPLOYING":
		target := d.originalWebCount
		if d.webInstances != nil {
			target = *d.webInstances
		}
		if s.scaleStep(d, target, target) {
			s.finalize(d)
		}
	case "PREPAUSED":
		step := canaryPlan(d, d.originalWebCount)[d.currentStep-1]
		if s.scaleStep(d, step.canary+step.original, step.canary) {
			d.setState("PAUSED")
			d.lastHealthy = time.Now()
		}
	case "CANCELING":
		s.finishCancel(d)
	}
}

// counts classifies the new process's instances as the instances reporter does (11.2).
func (s *Sim) counts(p *process) (routable, starting, unhealthy int) {
	for i := 0; i < p.instances; i++ {
		inst := s.instances[p.guid][i]
		switch {
		case inst == nil || inst.state == "DOWN" || inst.state == "CRASHED":
			unhealthy++
		case inst.state == "RUNNING" && inst.routable:
			routable++
		default:
			starting++
		}
	}
	return
}

// scaleStep is Actions::Scale#call (11.3). It reports whether the step is finished.
func (s *Sim) scaleStep(d *deployment, targetTotal, interimTarget int) bool {
	newP := s.processes[d.newProcesses[len(d.newProcesses)-1]]
	if newP == nil {
		return false
	}
	routable, starting, unhealthy := s.counts(newP)
	others := s.otherWeb(newP)
	canUp := starting < d.maxInFlight && unhealthy == 0 && routable >= newP.instances-d.maxInFlight
	desiredOld := max(targetTotal-routable, 0)
	canDown := totalInstances(others) > desiredOld
	finished := newP.instances >= interimTarget && routable >= interimTarget
	if !canUp && !canDown {
		return false
	}
	upTo := newP.instances
	if !finished && canUp {
		upTo = min(routable+d.maxInFlight, interimTarget)
	}
	if err := s.scaleQuota(newP, others, desiredOld, canDown, upTo); err != "" {
		d.errMsg = err // the transaction rolls back; the updater retries next cycle
		return false
	}
	d.errMsg = ""
	if canDown {
		s.scaleDownOldest(others, desiredOld)
	}
	if finished {
		return true
	}
	if canUp {
		newP.instances = upTo
		d.lastHealthy = time.Now()
	}
	return false
}

// scaleQuota checks the step's net memory change against the quotas.
func (s *Sim) scaleQuota(newP *process, others []*process, desiredOld int, canDown bool, upTo int) string {
	freed := 0
	if canDown {
		freed = max(totalInstances(others)-desiredOld, 0) * newP.memoryMB
	}
	extra := (upTo-newP.instances)*newP.memoryMB - freed
	if extra <= 0 {
		return ""
	}
	if which := s.quotaExceeded(s.apps[newP.appGUID].spaceGUID, extra, upTo-newP.instances); which != "" {
		return quotaError(which).Detail
	}
	return ""
}

func (s *Sim) otherWeb(newP *process) []*process {
	var out []*process
	for _, p := range s.appProcesses(newP.appGUID, "web") {
		if p != newP {
			out = append(out, p)
		}
	}
	return out
}

func totalInstances(ps []*process) int {
	n := 0
	for _, p := range ps {
		n += p.instances
	}
	return n
}

// scaleDownOldest reduces the other web processes, oldest first, to total instances.
// An interim process that reaches zero is destroyed; the app's original one stays at zero.
func (s *Sim) scaleDownOldest(others []*process, total int) {
	excess := totalInstances(others) - total
	for i, p := range others {
		if excess <= 0 {
			return
		}
		cut := min(p.instances, excess)
		p.instances -= cut
		excess -= cut
		if p.instances == 0 && i > 0 {
			delete(s.processes, p.guid)
		}
	}
}

// finalize destroys the other web processes, restarts non-web ones on the new droplet in
// bulk, and marks the deployment DEPLOYED (11.4).
func (s *Sim) finalize(d *deployment) {
	newP := s.processes[d.newProcesses[len(d.newProcesses)-1]]
	for _, p := range s.otherWeb(newP) {
		delete(s.processes, p.guid)
	}
	a := s.apps[d.appGUID]
	for _, p := range s.appProcesses(d.appGUID, "") {
		if p.kind != "web" && p.running {
			s.desire(p, a, d.dropletGUID, s.revisions[d.revisionGUID])
		}
	}
	d.setState("DEPLOYED")
}

// finishCancel restores the prior web process to the original count and destroys the rest.
func (s *Sim) finishCancel(d *deployment) {
	prior := s.priorProcess(d)
	if prior == nil {
		d.setState("CANCELED")
		return
	}
	for _, p := range s.appProcesses(d.appGUID, "web") {
		if p != prior {
			delete(s.processes, p.guid)
		}
	}
	prior.instances = d.originalWebCount
	d.errMsg = ""
	d.setState("CANCELED")
}

// priorProcess: the newest web process of a superseded deployment with a RUNNING instance,
// else the app's oldest web process.
func (s *Sim) priorProcess(d *deployment) *process {
	web := s.appProcesses(d.appGUID, "web")
	for i := len(web) - 1; i >= 0; i-- {
		owner := s.deployments[web[i].deployGUID]
		if owner != nil && owner.superseded && s.hasRunning(web[i]) {
			return web[i]
		}
	}
	if len(web) == 0 {
		return nil
	}
	return web[0]
}

func (s *Sim) hasRunning(p *process) bool {
	for _, inst := range s.instances[p.guid] {
		if inst.state == "RUNNING" {
			return true
		}
	}
	return false
}

type canaryPhase struct{ canary, original int }

// canaryPlan is DeploymentModel#canary_step_plan (11.5).
func canaryPlan(d *deployment, original int) []canaryPhase {
	instances := original
	if d.webInstances != nil && *d.webInstances < original {
		instances = *d.webInstances
	}
	if len(d.steps) == 0 {
		return []canaryPhase{{canary: 1, original: original}}
	}
	var plan []canaryPhase
	for _, st := range d.steps {
		c := max(int(math.Round(float64(instances*st.weight)/100)), 1)
		o := instances - c + 1
		if st.weight == 100 {
			o = 0
		}
		plan = append(plan, canaryPhase{canary: c, original: o})
	}
	return plan
}
