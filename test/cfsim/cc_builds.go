package cfsim

import (
	"context"
	"net/http"
	"path/filepath"
	"time"
)

func (s *Sim) routeBuilds(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/builds", s.createBuild)
	mux.HandleFunc("GET /v3/builds", s.listBuilds)
	mux.HandleFunc("GET /v3/builds/{guid}", s.getBuild)
	mux.HandleFunc("GET /v3/apps/{guid}/builds", s.withApp(s.listAppBuilds))
}

// minStagingMB is cc.staging.minimum_staging_memory_mb: staging takes at least this much
// memory from the quota, or the app's own memory if larger.
const minStagingMB = 1024

func (s *Sim) presentBuild(b *build) map[string]any {
	path := "/v3/builds/" + b.guid
	links := map[string]any{"self": link(s.base, path), "app": link(s.base, "/v3/apps/"+b.appGUID)}
	var droplet, berr any
	if b.dropletGUID != "" {
		droplet = map[string]string{"guid": b.dropletGUID}
		links["droplet"] = link(s.base, "/v3/droplets/"+b.dropletGUID)
	}
	if b.err != "" {
		berr = b.err
	}
	return map[string]any{
		"guid": b.guid, "created_at": timestamp(b.created), "updated_at": timestamp(b.updated),
		"created_by": map[string]string{"guid": "cfsim-user", "name": s.cfg.Username, "email": s.cfg.Username},
		"state":      b.state, "staging_memory_in_mb": b.stagingMB, "staging_disk_in_mb": b.stagingDisk,
		"staging_log_rate_limit_bytes_per_second": -1, "error": berr,
		"lifecycle": presentLifecycle(b.lifecycle), "package": map[string]string{"guid": b.packageGUID},
		"droplet": droplet, "relationships": map[string]any{"app": rel(b.appGUID)},
		"metadata": b.meta.present(), "links": links,
	}
}

func (s *Sim) createBuild(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Package struct {
			GUID string `json:"guid"`
		} `json:"package"`
		Lifecycle   *lifecycleBody `json:"lifecycle"`
		StagingMB   int            `json:"staging_memory_in_mb"`
		StagingDisk int            `json:"staging_disk_in_mb"`
		Metadata    *metadataPatch `json:"metadata"`
	}
	if err := decodeBody(r, &body, "package", "lifecycle", "staging_memory_in_mb", "staging_disk_in_mb",
		"staging_log_rate_limit_bytes_per_second", "metadata"); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.packages[body.Package.GUID]
	if !ok {
		writeError(w, errUnprocessable("Unable to use package. Ensure that the package exists and you have access to it."))
		return
	}
	b, cerr := s.newBuild(p, body.Lifecycle, body.StagingMB, body.StagingDisk)
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	b.meta.apply(body.Metadata)
	writeJSON(w, http.StatusCreated, s.presentBuild(b))
}

// newBuild checks the package, the one-build-at-a-time rule and the staging quota, then
// starts staging in the background. Callers hold s.mu.
func (s *Sim) newBuild(p *pkg, lb *lifecycleBody, stagingMB, stagingDisk int) (*build, *ccError) {
	if p.state != "READY" {
		return nil, errUnprocessable("Package must be in a READY state to stage")
	}
	a := s.apps[p.appGUID]
	for _, other := range s.builds {
		if other.appGUID == a.guid && other.state == "STAGING" {
			return nil, &ccError{http.StatusUnprocessableEntity, "Only one build can be STAGING at a time per application.", "CF-StagingInProgress", 170017}
		}
	}
	l, cerr := lifecycleFrom(lb, a.lifecycle)
	if p.docker != nil { // the package's type decides the lifecycle
		l, cerr = lifecycle{kind: dockerLifecycle}, s.featureDisabled("diego_docker")
	}
	if cerr != nil {
		return nil, cerr
	}
	if stagingMB == 0 {
		stagingMB = s.stagingMemory(a)
	}
	if which := s.quotaExceeded(a.spaceGUID, stagingMB, 0); which != "" {
		return nil, s.stagingQuotaError(which, stagingMB)
	}
	if stagingDisk == 0 {
		stagingDisk = defaultDiskMB
	}
	b := &build{base: s.nextBase(), appGUID: a.guid, packageGUID: p.guid, state: "STAGING",
		stagingMB: stagingMB, stagingDisk: stagingDisk, lifecycle: l, meta: newMetadata()}
	s.builds[b.guid] = b
	s.goLoop(func(ctx context.Context) { s.runStaging(ctx, b) })
	return b, nil
}

func (s *Sim) stagingMemory(a *app) int {
	mb := minStagingMB
	for _, p := range s.appProcesses(a.guid, "web") {
		mb = max(mb, p.memoryMB)
	}
	return mb
}

// runStaging is a staging task: its container's lines, then after StagingTime the docker
// lifecycle or the binary buildpack.
func (s *Sim) runStaging(ctx context.Context, b *build) {
	s.mu.Lock()
	pkg := s.packages[b.packageGUID]
	wait := s.cfg.StagingTime
	s.mu.Unlock()
	if pkg == nil {
		return // the app, and with it its packages, was deleted: CC cancels its staging
	}
	docker := pkg.docker
	c := stagingContainer(s, b.appGUID)
	c.created()
	if docker != nil {
		c.output("OUT", "Staging...", "Staging process started ...")
	} else {
		c.output("OUT", "Downloading app package...")
	}
	select {
	case <-time.After(wait):
	case <-ctx.Done():
		return
	}
	if docker != nil {
		s.finishDockerStaging(c, b, *docker)
		return
	}
	s.finishBuildpackStaging(c, b)
}

// finishBuildpackStaging runs the binary buildpack on the package; the build ends STAGED
// with a new droplet, or FAILED with "<error_id> - <description>".
func (s *Sim) finishBuildpackStaging(c container, b *build) {
	s.mu.Lock()
	pkg, a := s.packages[b.packageGUID], s.apps[b.appGUID]
	command, zipPath := "", ""
	if pkg != nil && a != nil {
		zipPath = pkg.bits
		for _, p := range s.appProcesses(a.guid, "web") {
			command = s.commandFor(p, "")
		}
	}
	s.mu.Unlock()
	if pkg == nil || a == nil {
		return // deleted while staging
	}
	dropletGUID := newGUID()
	dir := filepath.Join(s.cfg.Dir, "droplets", dropletGUID)
	res := stage(zipPath, dir, command)
	logBuildpackStaging(c, zipPath, dir+".tgz", res)
	s.mu.Lock()
	defer s.mu.Unlock()
	b.updated = time.Now()
	if res.err != "" {
		b.state, b.err = "FAILED", res.err
		return
	}
	d := &droplet{base: s.nextBase(), appGUID: b.appGUID, packageGUID: b.packageGUID, state: "STAGED",
		processTypes: res.processTypes, checksum: res.checksum, tgz: dir + ".tgz",
		buildpacks: []string{"binary_buildpack"}, meta: newMetadata()}
	d.guid = dropletGUID
	s.droplets[d.guid] = d
	b.state, b.dropletGUID = "STAGED", d.guid
	s.pruneDroplets(b.appGUID)
}

func (s *Sim) listBuilds(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeList(w, r, s.base, s.buildsWhere(r, ""))
}

func (s *Sim) listAppBuilds(w http.ResponseWriter, r *http.Request, a *app) {
	writeList(w, r, s.base, s.buildsWhere(r, a.guid))
}

func (s *Sim) buildsWhere(r *http.Request, appGUID string) []any {
	q := r.URL.Query()
	var items []any
	for _, b := range sorted(s.builds, func(b *build) int64 { return b.seq }) {
		if (appGUID == "" || b.appGUID == appGUID) && matches(listFilter(q, "app_guids"), b.appGUID) &&
			matches(listFilter(q, "states"), b.state) && matches(listFilter(q, "package_guids"), b.packageGUID) {
			items = append(items, s.presentBuild(b))
		}
	}
	return items
}

func (s *Sim) getBuild(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.builds[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Build"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentBuild(b))
}
