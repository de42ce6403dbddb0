package cfsim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func (s *Sim) routeBits(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/packages", s.createPackage)
	mux.HandleFunc("GET /v3/packages", s.listPackages)
	mux.HandleFunc("GET /v3/packages/{guid}", s.getPackage)
	mux.HandleFunc("POST /v3/packages/{guid}/upload", s.uploadPackage)
	mux.HandleFunc("GET /v3/packages/{guid}/download", s.downloadPackage)
	mux.HandleFunc("GET /v3/packages/{guid}/droplets", s.listPackageDroplets)
	mux.HandleFunc("GET /v3/apps/{guid}/packages", s.withApp(s.listAppPackages))
	mux.HandleFunc("POST /v3/resource_matches", s.resourceMatches)
	s.routeBuilds(mux)
	s.routeDroplets(mux)
}

func (s *Sim) presentPackage(p *pkg) map[string]any {
	path := "/v3/packages/" + p.guid
	var sum, perr any
	if p.checksum != "" {
		sum = p.checksum
	}
	if p.err != "" {
		perr = p.err
	}
	v := map[string]any{
		"guid": p.guid, "type": "bits", "state": p.state,
		"data":       map[string]any{"checksum": map[string]any{"type": "sha256", "value": sum}, "error": perr},
		"created_at": timestamp(p.created), "updated_at": timestamp(p.updated),
		"relationships": map[string]any{"app": rel(p.appGUID)}, "metadata": p.meta.present(),
		"links": map[string]any{"self": link(s.base, path), "upload": linkMethod(s.base, path+"/upload", "POST"),
			"download": linkMethod(s.base, path+"/download", "GET"), "app": link(s.base, "/v3/apps/"+p.appGUID)},
	}
	if p.docker != nil { // no bits: no checksum, nothing to upload or download
		v["type"], v["data"] = dockerLifecycle, presentDockerData(p.docker)
		v["links"] = map[string]any{"self": link(s.base, path), "app": link(s.base, "/v3/apps/"+p.appGUID)}
	}
	return v
}

type appRelBody struct {
	App struct {
		Data struct {
			GUID string `json:"guid"`
		} `json:"data"`
	} `json:"app"`
}

func (s *Sim) createPackage(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Type          string            `json:"type"`
		Relationships appRelBody        `json:"relationships"`
		Data          dockerPackageBody `json:"data"`
		Metadata      *metadataPatch    `json:"metadata"`
	}
	if err := decodeBody(r, &body, "type", "relationships", "data", "metadata"); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[body.Relationships.App.Data.GUID]
	if !ok {
		writeError(w, errUnprocessable("App must exist"))
		return
	}
	switch body.Type {
	case "bits":
	case dockerLifecycle:
		p, cerr := s.newDockerPackage(a, body.Data)
		if cerr != nil {
			writeError(w, cerr)
			return
		}
		p.meta.apply(body.Metadata)
		writeJSON(w, http.StatusCreated, s.presentPackage(p))
		return
	default:
		writeError(w, errUnprocessable("Type must be one of 'bits, docker'"))
		return
	}
	p := &pkg{base: s.nextBase(), appGUID: body.Relationships.App.Data.GUID, state: "AWAITING_UPLOAD", meta: newMetadata()}
	p.meta.apply(body.Metadata)
	s.packages[p.guid] = p
	writeJSON(w, http.StatusCreated, s.presentPackage(p))
}

func (s *Sim) listPackages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeList(w, r, s.base, s.packagesWhere(r, ""))
}

func (s *Sim) listAppPackages(w http.ResponseWriter, r *http.Request, a *app) {
	writeList(w, r, s.base, s.packagesWhere(r, a.guid))
}

func (s *Sim) packagesWhere(r *http.Request, appGUID string) []any {
	q := r.URL.Query()
	var items []any
	for _, p := range sorted(s.packages, func(p *pkg) int64 { return p.seq }) {
		if (appGUID == "" || p.appGUID == appGUID) && matches(listFilter(q, "app_guids"), p.appGUID) &&
			matches(listFilter(q, "states"), p.state) && matches(listFilter(q, "guids"), p.guid) {
			items = append(items, s.presentPackage(p))
		}
	}
	return items
}

func (s *Sim) getPackage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.packages[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Package"))
		return
	}
	writeJSON(w, http.StatusOK, s.presentPackage(p))
}

// uploadPackage takes the multipart bits (a zip) and/or resources (cached files to add),
// answers 200 PROCESSING_UPLOAD, and checks the zip in the background like CC's job does.
func (s *Sim) uploadPackage(w http.ResponseWriter, r *http.Request) {
	guid := r.PathValue("guid")
	s.mu.Lock()
	p, ok := s.packages[guid]
	state := ""
	if ok {
		state = p.state
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, errNotFound("Package"))
		return
	}
	if state != "AWAITING_UPLOAD" {
		writeError(w, &ccError{http.StatusBadRequest, "Bits may be uploaded only once. Create a new package to upload different bits.", "CF-PackageBitsAlreadyUploaded", 150004})
		return
	}
	up, cerr := s.receiveUpload(r, filepath.Join(s.cfg.Dir, "uploads", guid+".zip"))
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.state, p.updated = "PROCESSING_UPLOAD", time.Now()
	s.goLoop(func(context.Context) { s.processPackage(p, up) })
	writeJSON(w, http.StatusOK, s.presentPackage(p))
}

// upload is what a multipart package upload carried.
type upload struct {
	bits      string // saved zip, "" if none
	resources []matchedResource
}

type matchedResource struct {
	Path     string `json:"path"`
	Size     int64  `json:"size_in_bytes"`
	Checksum struct {
		Value string `json:"value"`
	} `json:"checksum"`
	Mode string `json:"mode"`
}

// receiveUpload streams the bits part to disk, so large apps never sit in memory.
func (s *Sim) receiveUpload(r *http.Request, dest string) (upload, *ccError) {
	var up upload
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return up, errUnprocessable("Upload must include either resources or bits")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return up, errParse()
	}
	gotResources := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, errParse()
		}
		switch part.FormName() {
		case "bits":
			if err := saveFile(part, dest); err != nil {
				return up, errBadRequest("failed to store bits: " + err.Error())
			}
			up.bits = dest
		case "resources":
			gotResources = true
			if err := json.NewDecoder(part).Decode(&up.resources); err != nil {
				return up, errUnprocessable("Resources must be valid JSON.")
			}
		}
	}
	if up.bits == "" && !gotResources {
		return up, errUnprocessable("Upload must include either resources or bits")
	}
	return up, nil
}

func saveFile(src io.Reader, dest string) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// processPackage builds the final zip (uploaded bits plus matched cached resources), caches
// its large files for later resource matching, and marks the package READY or FAILED.
func (s *Sim) processPackage(p *pkg, up upload) {
	final := filepath.Join(s.cfg.Dir, "packages", p.guid+".zip")
	err := s.assemblePackage(up, final)
	sum := ""
	if err == nil {
		sum, err = fileSHA256(final)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.updated = time.Now()
	if err != nil {
		p.state, p.err = "FAILED", err.Error()
		return
	}
	p.state, p.bits, p.checksum = "READY", final, sum
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (s *Sim) downloadPackage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.packages[r.PathValue("guid")]
	if !ok {
		writeError(w, errNotFound("Package"))
		return
	}
	if p.state != "READY" {
		writeError(w, errUnprocessable(fmt.Sprintf("Package is not in READY state: %s", p.state)))
		return
	}
	http.Redirect(w, r, s.base+"/blobstore/packages/"+p.guid, http.StatusFound)
}
