package cfsim

import (
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func (s *Sim) routeDroplets(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/droplets", s.createDroplet)
	mux.HandleFunc("GET /v3/droplets", s.listDroplets)
	mux.HandleFunc("GET /v3/droplets/{guid}", s.withDroplet(s.getDroplet))
	mux.HandleFunc("PATCH /v3/droplets/{guid}", s.withDroplet(s.updateDroplet))
	mux.HandleFunc("DELETE /v3/droplets/{guid}", s.withDroplet(s.deleteDroplet))
	mux.HandleFunc("POST /v3/droplets/{guid}/upload", s.uploadDroplet)
	mux.HandleFunc("GET /v3/droplets/{guid}/download", s.withDroplet(s.downloadDroplet))
	mux.HandleFunc("GET /v3/apps/{guid}/droplets", s.withApp(s.listAppDroplets))
	mux.HandleFunc("GET /v3/apps/{guid}/droplets/current", s.withApp(s.getCurrentDroplet))
	mux.HandleFunc("GET /v3/apps/{guid}/relationships/current_droplet", s.withApp(s.getCurrentDropletRel))
	mux.HandleFunc("PATCH /v3/apps/{guid}/relationships/current_droplet", s.withApp(s.setCurrentDroplet))
}

// dropletsKept is how many droplets CC keeps per app before expiring older ones.
const dropletsKept = 5

func (s *Sim) withDroplet(h func(http.ResponseWriter, *http.Request, *droplet)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		d, ok := s.droplets[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Droplet"))
			return
		}
		h(w, r, d)
	}
}

func (s *Sim) presentDroplet(d *droplet) map[string]any {
	path := "/v3/droplets/" + d.guid
	links := map[string]any{"self": link(s.base, path), "app": link(s.base, "/v3/apps/"+d.appGUID),
		"assign_current_droplet": linkMethod(s.base, "/v3/apps/"+d.appGUID+"/relationships/current_droplet", "PATCH")}
	if d.packageGUID != "" {
		links["package"] = link(s.base, "/v3/packages/"+d.packageGUID)
	}
	switch d.state {
	case "AWAITING_UPLOAD":
		links["upload"] = linkMethod(s.base, path+"/upload", "POST")
	case "STAGED":
		links["download"] = link(s.base, path+"/download")
	}
	var checksum, bps any
	if d.checksum != "" {
		checksum = map[string]string{"type": "sha256", "value": d.checksum}
	}
	var presentBPs []map[string]string
	for _, b := range d.buildpacks {
		presentBPs = append(presentBPs, map[string]string{"name": b, "detect_output": "", "version": "cfsim", "buildpack_name": "binary"})
	}
	bps = presentBPs
	v := map[string]any{
		"guid": d.guid, "state": d.state, "error": nil, "lifecycle": map[string]any{"type": "buildpack", "data": map[string]any{}},
		"execution_metadata": "", "process_types": copyMap(d.processTypes), "checksum": checksum,
		"buildpacks": bps, "stack": "cflinuxfs4", "image": nil,
		"created_at": timestamp(d.created), "updated_at": timestamp(d.updated),
		"relationships": map[string]any{"app": rel(d.appGUID)}, "links": links, "metadata": d.meta.present(),
	}
	if d.docker != nil {
		presentDockerDroplet(d, v)
	}
	return v
}

func (s *Sim) dropletsWhere(r *http.Request, keep func(*droplet) bool) []any {
	q := r.URL.Query()
	var items []any
	for _, d := range sorted(s.droplets, func(d *droplet) int64 { return d.seq }) {
		if keep(d) && matches(listFilter(q, "app_guids"), d.appGUID) && matches(listFilter(q, "states"), d.state) &&
			matches(listFilter(q, "guids"), d.guid) {
			items = append(items, s.presentDroplet(d))
		}
	}
	return items
}

func (s *Sim) listDroplets(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeList(w, r, s.base, s.dropletsWhere(r, func(*droplet) bool { return true }))
}

func (s *Sim) listAppDroplets(w http.ResponseWriter, r *http.Request, a *app) {
	writeList(w, r, s.base, s.dropletsWhere(r, func(d *droplet) bool { return d.appGUID == a.guid }))
}

func (s *Sim) listPackageDroplets(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	guid := r.PathValue("guid")
	if _, ok := s.packages[guid]; !ok {
		writeError(w, errNotFound("Package"))
		return
	}
	writeList(w, r, s.base, s.dropletsWhere(r, func(d *droplet) bool { return d.packageGUID == guid }))
}

func (s *Sim) getDroplet(w http.ResponseWriter, _ *http.Request, d *droplet) {
	writeJSON(w, http.StatusOK, s.presentDroplet(d))
}

func (s *Sim) updateDroplet(w http.ResponseWriter, r *http.Request, d *droplet) {
	var body struct {
		Metadata *metadataPatch `json:"metadata"`
	}
	if err := decodeBody(r, &body, "metadata", "image"); err != nil {
		writeError(w, err)
		return
	}
	d.meta.apply(body.Metadata)
	d.updated = time.Now()
	writeJSON(w, http.StatusOK, s.presentDroplet(d))
}

func (s *Sim) deleteDroplet(w http.ResponseWriter, _ *http.Request, d *droplet) {
	j := s.startJob("droplet.delete", "", func() []*ccError {
		s.removeDroplet(d)
		return nil
	})
	writeAccepted(w, s.jobURL(j))
}

func (s *Sim) removeDroplet(d *droplet) {
	delete(s.droplets, d.guid)
	if a := s.apps[d.appGUID]; a != nil && a.dropletGUID == d.guid {
		a.dropletGUID = ""
	}
	s.removeDropletFiles(d)
}

// removeDropletFiles deletes the bits unless a running process still uses the unpacked folder.
func (s *Sim) removeDropletFiles(d *droplet) {
	if d.tgz != "" {
		os.Remove(d.tgz)
	}
	for _, p := range s.processes {
		if p.running && p.runDroplet == d.guid {
			return
		}
	}
	os.RemoveAll(s.dropletDir(d.guid))
}

func (s *Sim) dropletDir(guid string) string { return filepath.Join(s.cfg.Dir, "droplets", guid) }

func (s *Sim) createDroplet(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Relationships appRelBody        `json:"relationships"`
		ProcessTypes  map[string]string `json:"process_types"`
	}
	if err := decodeBody(r, &body, "relationships", "process_types"); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[body.Relationships.App.Data.GUID]
	if !ok {
		writeError(w, errUnprocessable("App with guid '"+body.Relationships.App.Data.GUID+"' does not exist or you do not have access to it."))
		return
	}
	types := body.ProcessTypes
	if types == nil {
		types = map[string]string{"web": ""}
	}
	d := &droplet{base: s.nextBase(), appGUID: a.guid, state: "AWAITING_UPLOAD", processTypes: types, meta: newMetadata()}
	s.droplets[d.guid] = d
	writeJSON(w, http.StatusCreated, s.presentDroplet(d))
}

// uploadDroplet takes a droplet tarball (e.g. one downloaded from another foundation),
// answers 202 with a job, and unpacks it in that job.
func (s *Sim) uploadDroplet(w http.ResponseWriter, r *http.Request) {
	guid := r.PathValue("guid")
	s.mu.Lock()
	d, ok := s.droplets[guid]
	state := ""
	if ok {
		state = d.state
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, errNotFound("Droplet"))
		return
	}
	if state != "AWAITING_UPLOAD" {
		writeError(w, errUnprocessable("Droplet may be uploaded only once. Create a new droplet to upload bits."))
		return
	}
	tgz := s.dropletDir(guid) + ".tgz"
	up, cerr := s.receiveUpload(r, tgz)
	if cerr != nil || up.bits == "" {
		writeError(w, firstCCErr(cerr, errUnprocessable("Upload must include bits")))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d.state, d.tgz = "PROCESSING_UPLOAD", tgz
	j := s.startJob("droplet.upload", "", func() []*ccError { return s.finishDropletUpload(d) })
	w.Header().Set("Location", s.jobURL(j))
	writeJSON(w, http.StatusAccepted, s.presentDroplet(d))
}

func firstCCErr(errs ...*ccError) *ccError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (s *Sim) finishDropletUpload(d *droplet) []*ccError {
	d.updated = time.Now()
	if err := extractTgz(d.tgz, s.dropletDir(d.guid)); err != nil {
		d.state = "FAILED"
		return []*ccError{errUnprocessable(err.Error())}
	}
	sum, err := fileSHA256(d.tgz)
	if err != nil {
		d.state = "FAILED"
		return []*ccError{errUnprocessable(err.Error())}
	}
	d.state, d.checksum = "STAGED", sum
	s.pruneDroplets(d.appGUID)
	return nil
}

func (s *Sim) downloadDroplet(w http.ResponseWriter, r *http.Request, d *droplet) {
	if d.docker != nil {
		writeError(w, errDockerDownload())
		return
	}
	if d.state != "STAGED" {
		writeError(w, errUnprocessable("Only staged droplets can be downloaded."))
		return
	}
	// go-cfclient insists on a redirect to the blobstore, as CC answers
	// (docs/platform/apps-and-staging.md#droplets).
	http.Redirect(w, r, s.base+"/blobstore/droplets/"+d.guid, http.StatusFound)
}

func (s *Sim) getCurrentDroplet(w http.ResponseWriter, _ *http.Request, a *app) {
	d, ok := s.droplets[a.dropletGUID]
	if !ok {
		writeError(w, errNotFound("Droplet"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentDroplet(d))
}

func (s *Sim) presentCurrentDropletRel(a *app) map[string]any {
	p := "/v3/apps/" + a.guid
	out := rel(a.dropletGUID)
	out["links"] = map[string]any{"self": link(s.base, p+"/relationships/current_droplet"),
		"related": link(s.base, p+"/droplets/current")}
	return out
}

func (s *Sim) getCurrentDropletRel(w http.ResponseWriter, _ *http.Request, a *app) {
	writeJSON(w, http.StatusOK, s.presentCurrentDropletRel(a))
}

func (s *Sim) setCurrentDroplet(w http.ResponseWriter, r *http.Request, a *app) {
	var body struct {
		Data *struct {
			GUID string `json:"guid"`
		} `json:"data"`
	}
	if err := decodeBody(r, &body, "data"); err != nil {
		writeError(w, err)
		return
	}
	if body.Data == nil {
		writeError(w, errUnprocessable("Current droplet cannot be removed. Replace it with a preferred droplet."))
		return
	}
	if s.deploying(a.guid) {
		writeError(w, errUnprocessable("Unable to assign current droplet while the app has a deployment in progress. Wait for the deployment to complete or cancel it."))
		return
	}
	if err := s.assignDroplet(a, body.Data.GUID); err != nil {
		writeError(w, err)
		return
	}
	s.recordAppEvent("audit.app.droplet.mapped", a, map[string]any{"request": map[string]any{"droplet_guid": body.Data.GUID}})
	writeJSON(w, http.StatusOK, s.presentCurrentDropletRel(a))
}

// assignDroplet makes a STAGED droplet of this app current and creates any processes its
// process types name that the app lacks. Callers hold s.mu.
func (s *Sim) assignDroplet(a *app, guid string) *ccError {
	d, ok := s.droplets[guid]
	if !ok || d.appGUID != a.guid || d.state != "STAGED" {
		return errUnprocessable("Unable to assign current droplet. Ensure the droplet exists and belongs to this app.")
	}
	a.dropletGUID, a.updated = guid, time.Now()
	for kind := range d.processTypes {
		if len(s.appProcesses(a.guid, kind)) == 0 {
			s.newProcess(a.guid, kind)
		}
	}
	return nil
}

// pruneDroplets expires the oldest STAGED droplets beyond the retention limit, sparing the
// current one and any a process runs. Revisions of expired droplets become undeployable.
func (s *Sim) pruneDroplets(appGUID string) {
	var staged []*droplet
	for _, d := range sorted(s.droplets, func(d *droplet) int64 { return d.seq }) {
		if d.appGUID == appGUID && d.state == "STAGED" {
			staged = append(staged, d)
		}
	}
	for i := 0; i < len(staged)-dropletsKept; i++ {
		d := staged[i]
		if s.apps[appGUID] != nil && s.apps[appGUID].dropletGUID == d.guid {
			continue
		}
		d.state, d.updated = "EXPIRED", time.Now()
		s.removeDropletFiles(d)
	}
}
