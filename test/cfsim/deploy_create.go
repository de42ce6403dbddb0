package cfsim

import (
	"maps"
	"net/http"
	"strconv"
	"time"
)

// startDeployment follows CC's DeploymentCreate
// (docs/platform/deployments.md#what-creating-a-deployment-does). Callers hold s.mu.
func (s *Sim) startDeployment(d *deployment, a *app, b deploymentBody) *ccError {
	dropletGUID, rollback, err := s.deploymentDroplet(a, b)
	if err != nil {
		return err
	}
	web := s.appProcesses(a.guid, "web")
	if a.state != "STOPPED" && len(web) > 0 {
		if err := s.deploymentQuota(d, a, web[len(web)-1]); err != nil {
			return err
		}
	}
	d.previousDroplet, d.dropletGUID = a.dropletGUID, dropletGUID
	if err := s.assignDroplet(a, dropletGUID); err != nil {
		return err
	}
	extra := ""
	if rollback != nil {
		a.env = copyMap(rollback.env)
		s.applyRevisionCommands(a, rollback)
		extra = "Rolled back to revision " + strconv.Itoa(rollback.version) + "."
	}
	rev := s.resolveRevision(a, dropletGUID, extra)
	if rev != nil {
		d.revisionGUID, d.revisionVersion = rev.guid, rev.version
	}
	web = s.appProcesses(a.guid, "web")
	newest := web[len(web)-1]
	d.statusChanged, d.lastHealthy = time.Now(), time.Now()
	s.deployments[d.guid] = d
	if a.state == "STOPPED" {
		s.deployStopped(d, a, newest, rev)
		return nil
	}
	s.deployStarted(d, a, newest, rev)
	return nil
}

// deploymentDroplet picks the droplet: the one named, the revision's, or the current one.
func (s *Sim) deploymentDroplet(a *app, b deploymentBody) (string, *revision, *ccError) {
	switch {
	case b.Droplet != nil:
		return b.Droplet.GUID, nil, nil
	case b.Revision != nil:
		return s.rollbackDroplet(a, b.Revision.GUID)
	case a.dropletGUID == "":
		return "", nil, errUnprocessable("Invalid droplet. Please specify a droplet in the request or set a current droplet for the app.")
	}
	return a.dropletGUID, nil, nil
}

func (s *Sim) rollbackDroplet(a *app, guid string) (string, *revision, *ccError) {
	if !a.revisions {
		return "", nil, errUnprocessable("Cannot create deployment from a revision for an app without revisions enabled")
	}
	rv, ok := s.revisions[guid]
	if !ok || rv.appGUID != a.guid {
		return "", nil, errUnprocessable("The revision does not exist")
	}
	if d := s.droplets[rv.dropletGUID]; d == nil || d.state != "STAGED" {
		return "", nil, errUnprocessable("Unable to deploy this revision, the droplet for this revision no longer exists.")
	}
	if deployed := s.deployedRevision(a); deployed != nil && deployed.dropletGUID == rv.dropletGUID &&
		maps.Equal(deployed.env, rv.env) && sameCommands(deployed.commands, rv.commands) {
		return "", nil, errUnprocessable("Unable to rollback. The code and configuration you are rolling back to is the same as the deployed revision.")
	}
	return rv.dropletGUID, rv, nil
}

func sameCommands(a, b map[string]*string) bool {
	return maps.EqualFunc(a, b, func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) })
}

// deployedRevision is the revision of the newest started web process.
func (s *Sim) deployedRevision(a *app) *revision {
	web := s.appProcesses(a.guid, "web")
	for i := len(web) - 1; i >= 0; i-- {
		if s.shouldRun(web[i]) {
			return s.revisions[web[i].revisionGUID]
		}
	}
	return nil
}

func (s *Sim) applyRevisionCommands(a *app, rv *revision) {
	for _, p := range s.appProcesses(a.guid, "") {
		if cmd, ok := rv.commands[p.kind]; ok {
			p.command = cmd
		}
	}
}

// deploymentQuota checks that the new process's first instances fit, with CC's
// deployment-specific message (docs/platform/deployments.md#quota-errors).
func (s *Sim) deploymentQuota(d *deployment, a *app, newest *process) *ccError {
	mem := newest.memoryMB
	if d.memoryMB != nil {
		mem = *d.memoryMB
	}
	n := min(d.maxInFlight, s.firstTarget(d, newest))
	which := s.quotaExceeded(a.spaceGUID, n*mem, n)
	sp := s.spaces[a.spaceGUID]
	switch which {
	case "org":
		return errUnprocessable("memory quota_exceeded for organization " + s.orgs[sp.orgGUID].name +
			". This organization's quota may not be large enough to support rolling deployments or your configured max-in-flight.")
	case "space":
		return errUnprocessable("memory space_quota_exceeded for space " + sp.name +
			". This space's quota may not be large enough to support rolling deployments or your configured max-in-flight.")
	}
	return nil
}

// originalCount is the web instance count the deployment starts from: that of a deployment
// it supersedes, else the newest web process's.
func (s *Sim) originalCount(appGUID string, newest *process) int {
	for _, other := range s.deployments {
		if other.appGUID == appGUID && other.active() {
			return other.originalWebCount
		}
	}
	return newest.instances
}

func (s *Sim) firstTarget(d *deployment, newest *process) int {
	if d.strategy == "canary" {
		return canaryPlan(d, s.originalCount(d.appGUID, newest))[0].canary
	}
	if d.webInstances != nil {
		return *d.webInstances
	}
	return s.originalCount(d.appGUID, newest)
}

// deployStopped: a stopped app gets no rollout; the options apply and the app starts.
func (s *Sim) deployStopped(d *deployment, a *app, web *process, rev *revision) {
	if d.webInstances != nil {
		web.instances = *d.webInstances
	}
	applySizes(d, web)
	a.state = "STARTED"
	for _, p := range s.appProcesses(a.guid, "") {
		s.desire(p, a, d.dropletGUID, rev)
	}
	d.originalWebCount = web.instances
	d.setState("DEPLOYED")
}

func applySizes(d *deployment, p *process) {
	if d.memoryMB != nil {
		p.memoryMB = *d.memoryMB
	}
	if d.diskMB != nil {
		p.diskMB = *d.diskMB
	}
	if d.logRate != nil {
		p.logRate = *d.logRate
	}
}

// deployStarted clones the newest web process into a new one with the new droplet, starts
// min(max_in_flight, target) instances of it, and supersedes any active deployment.
func (s *Sim) deployStarted(d *deployment, a *app, newest *process, rev *revision) {
	d.originalWebCount = s.originalCount(a.guid, newest)
	p := s.newProcess(a.guid, "web")
	p.command, p.health, p.readiness = newest.command, newest.health, newest.readiness
	p.memoryMB, p.diskMB, p.logRate = newest.memoryMB, newest.diskMB, newest.logRate
	p.meta = metadata{labels: copyMap(newest.meta.labels), annotations: copyMap(newest.meta.annotations)}
	applySizes(d, p)
	p.instances = min(d.maxInFlight, s.firstTarget(d, newest))
	p.deployGUID = d.guid
	s.desire(p, a, d.dropletGUID, rev)
	d.newProcesses = []string{p.guid}
	d.state = "DEPLOYING"
	if d.strategy == "canary" {
		d.state = "PREPAUSED"
	}
	for _, other := range s.deployments {
		if other != d && other.appGUID == a.guid && other.active() {
			other.superseded = true
			if other.state == "DEPLOYING" {
				other.setState("DEPLOYED")
			} else {
				other.setState("CANCELED")
			}
		}
	}
}

func (s *Sim) listDeployments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel, cerr := parseLabelSelector(q.Get("label_selector"))
	if q.Get("label_selector") == "" {
		sel, cerr = nil, nil
	}
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, d := range sorted(s.deployments, func(d *deployment) int64 { return d.seq }) {
		value, reason := d.status()
		if matches(listFilter(q, "app_guids"), d.appGUID) && matches(listFilter(q, "states"), d.state) &&
			matches(listFilter(q, "status_values"), value) && matches(listFilter(q, "status_reasons"), reason) &&
			sel.matches(d.meta.labels) {
			items = append(items, s.presentDeployment(d))
		}
	}
	writeList(w, r, s.base, items)
}

func (s *Sim) getDeployment(w http.ResponseWriter, _ *http.Request, d *deployment) {
	writeJSON(w, http.StatusOK, s.presentDeployment(d))
}

func (s *Sim) updateDeployment(w http.ResponseWriter, r *http.Request, d *deployment) {
	var body struct {
		Metadata *metadataPatch `json:"metadata"`
	}
	if err := decodeBody(r, &body, "metadata"); err != nil {
		writeError(w, err)
		return
	}
	d.meta.apply(body.Metadata)
	d.updated = time.Now()
	writeJSON(w, http.StatusOK, s.presentDeployment(d))
}

// cancelDeployment puts the previous droplet back and leaves the revert to the updater's
// next cycle (docs/platform/deployments.md#cancelling). Env vars and bindings are not reverted.
func (s *Sim) cancelDeployment(w http.ResponseWriter, _ *http.Request, d *deployment) {
	if !d.active() {
		value, reason := d.status()
		writeError(w, errUnprocessable("Cannot cancel a deployment with status: "+value+" and reason: "+reason))
		return
	}
	if a := s.apps[d.appGUID]; a != nil && d.previousDroplet != "" {
		a.dropletGUID = d.previousDroplet
	}
	d.setState("CANCELING")
	if a := s.apps[d.appGUID]; a != nil {
		s.recordAppEvent("audit.app.deployment.cancel", a, map[string]any{"deployment_guid": d.guid, "droplet_guid": d.dropletGUID})
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Sim) continueDeployment(w http.ResponseWriter, _ *http.Request, d *deployment) {
	if d.state != "PAUSED" {
		value, reason := d.status()
		writeError(w, errUnprocessable("Cannot continue a deployment with status: "+value+" and reason: "+reason))
		return
	}
	if d.currentStep < len(d.steps) {
		d.currentStep++
		d.setState("PREPAUSED")
	} else {
		d.setState("DEPLOYING")
	}
	w.WriteHeader(http.StatusOK)
}
