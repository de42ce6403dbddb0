package cfsim

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

func (s *Sim) routeDeployments(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/deployments", s.createDeployment)
	mux.HandleFunc("GET /v3/deployments", s.listDeployments)
	mux.HandleFunc("GET /v3/deployments/{guid}", s.withDeployment(s.getDeployment))
	mux.HandleFunc("PATCH /v3/deployments/{guid}", s.withDeployment(s.updateDeployment))
	mux.HandleFunc("POST /v3/deployments/{guid}/actions/cancel", s.withDeployment(s.cancelDeployment))
	mux.HandleFunc("POST /v3/deployments/{guid}/actions/continue", s.withDeployment(s.continueDeployment))
	s.routeRevisions(mux)
}

func (s *Sim) withDeployment(h func(http.ResponseWriter, *http.Request, *deployment)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		d, ok := s.deployments[r.PathValue("guid")]
		if !ok {
			writeError(w, errNotFound("Deployment"))
			return
		}
		h(w, r, d)
	}
}

func (d *deployment) active() bool {
	switch d.state {
	case "DEPLOYING", "PREPAUSED", "PAUSED", "CANCELING":
		return true
	}
	return false
}

// status maps the internal state to the API's value and reason
// (docs/platform/deployments.md#status-value-and-reason).
func (d *deployment) status() (string, string) {
	switch {
	case d.state == "PAUSED":
		return "ACTIVE", "PAUSED"
	case d.state == "CANCELING":
		return "ACTIVE", "CANCELING"
	case d.active():
		return "ACTIVE", "DEPLOYING"
	case d.superseded:
		return "FINALIZED", "SUPERSEDED"
	}
	return "FINALIZED", d.state
}

func (d *deployment) setState(state string) {
	v, r := d.status()
	d.state = state
	if nv, nr := d.status(); nv != v || nr != r {
		d.statusChanged = time.Now()
		d.history = append(d.history, StatusChange{Value: nv, Reason: nr, At: d.statusChanged})
	}
	d.updated = time.Now()
}

func (s *Sim) presentDeployment(d *deployment) map[string]any {
	path := "/v3/deployments/" + d.guid
	value, reason := d.status()
	details := map[string]any{"last_successful_healthcheck": timestamp(d.lastHealthy), "last_status_change": timestamp(d.statusChanged)}
	if d.errMsg != "" {
		details["error"] = d.errMsg
	}
	status := map[string]any{"value": value, "reason": reason, "details": details}
	options := map[string]any{"max_in_flight": d.maxInFlight}
	for k, v := range map[string]*int{"web_instances": d.webInstances, "memory_in_mb": d.memoryMB,
		"disk_in_mb": d.diskMB, "log_rate_limit_in_bytes_per_second": d.logRate} {
		if v != nil {
			options[k] = *v
		}
	}
	if d.strategy == "canary" {
		status["canary"] = map[string]any{"steps": map[string]int{"current": d.currentStep, "total": max(len(d.steps), 1)}}
		if len(d.steps) > 0 {
			var steps []map[string]int
			for _, st := range d.steps {
				steps = append(steps, map[string]int{"instance_weight": st.weight})
			}
			options["canary"] = map[string]any{"steps": steps}
		}
	}
	newProcs := []map[string]string{}
	for _, g := range d.newProcesses {
		newProcs = append(newProcs, map[string]string{"guid": g, "type": "web"})
	}
	links := map[string]any{"self": link(s.base, path), "app": link(s.base, "/v3/apps/"+d.appGUID)}
	if d.active() {
		links["cancel"] = linkMethod(s.base, path+"/actions/cancel", "POST")
	}
	if d.state == "PAUSED" {
		links["continue"] = linkMethod(s.base, path+"/actions/continue", "POST")
	}
	var revision any
	if d.revisionGUID != "" {
		revision = map[string]any{"guid": d.revisionGUID, "version": d.revisionVersion}
	}
	return map[string]any{
		"guid": d.guid, "created_at": timestamp(d.created), "updated_at": timestamp(d.updated),
		"status": status, "strategy": d.strategy, "options": options,
		"droplet": map[string]string{"guid": d.dropletGUID}, "previous_droplet": map[string]string{"guid": d.previousDroplet},
		"new_processes": newProcs, "revision": revision,
		"relationships": map[string]any{"app": rel(d.appGUID)}, "metadata": d.meta.present(), "links": links,
	}
}

type deploymentBody struct {
	Droplet *struct {
		GUID string `json:"guid"`
	} `json:"droplet"`
	Revision *struct {
		GUID string `json:"guid"`
	} `json:"revision"`
	Strategy      string                 `json:"strategy"`
	Options       map[string]interface{} `json:"options"`
	Relationships appRelBody             `json:"relationships"`
	Metadata      *metadataPatch         `json:"metadata"`
}

func (s *Sim) createDeployment(w http.ResponseWriter, r *http.Request) {
	var body deploymentBody
	if err := decodeBody(r, &body, "droplet", "revision", "strategy", "options", "relationships", "metadata"); err != nil {
		writeError(w, err)
		return
	}
	d, err := parseDeployment(body)
	if err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[body.Relationships.App.Data.GUID]
	if !ok {
		writeError(w, errUnprocessable("Unable to use app. Ensure that the app exists and you have access to it."))
		return
	}
	d.base, d.appGUID = s.nextBase(), a.guid
	d.meta.apply(body.Metadata)
	if err := s.startDeployment(d, a, body); err != nil {
		writeError(w, err)
		return
	}
	s.changed()
	s.recordAppEvent("audit.app.deployment.create", a, deploymentEventData(d, body.Revision != nil))
	writeJSON(w, http.StatusCreated, s.presentDeployment(d))
}

// parseDeployment validates the request message (docs/platform/deployments.md#the-create-request).
func parseDeployment(b deploymentBody) (*deployment, *ccError) {
	d := &deployment{strategy: b.Strategy, maxInFlight: 1, currentStep: 1, meta: newMetadata()}
	if d.strategy == "" {
		d.strategy = "rolling"
	}
	if d.strategy != "rolling" && d.strategy != "canary" {
		return nil, errUnprocessable(fmt.Sprintf("Strategy '%s' is not a supported deployment strategy", b.Strategy))
	}
	if b.Droplet != nil && b.Revision != nil {
		return nil, errUnprocessable("Cannot set both fields 'droplet' and 'revision'")
	}
	return d, parseDeploymentOptions(d, b.Options)
}

func parseDeploymentOptions(d *deployment, opts map[string]interface{}) *ccError {
	var unknown []string
	for k, v := range opts {
		switch k {
		case "max_in_flight":
			n, ok := wholeNumber(v)
			if !ok || n < 1 {
				return errUnprocessable("Max in flight must be an integer greater than 0")
			}
			d.maxInFlight = n
		case "web_instances", "memory_in_mb", "disk_in_mb", "log_rate_limit_in_bytes_per_second":
			n, ok := wholeNumber(v)
			if !ok || (n < 1 && k != "log_rate_limit_in_bytes_per_second") {
				return errUnprocessable(fmt.Sprintf("%s must be an integer greater than 0", humanize(k)))
			}
			setOption(d, k, n)
		case "canary":
			if err := parseCanary(d, v); err != nil {
				return err
			}
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return errUnprocessable("Options has unsupported key(s): " + strings.Join(unknown, ", "))
	}
	return nil
}

func setOption(d *deployment, k string, n int) {
	switch k {
	case "web_instances":
		d.webInstances = &n
	case "memory_in_mb":
		d.memoryMB = &n
	case "disk_in_mb":
		d.diskMB = &n
	default:
		d.logRate = &n
	}
}

func parseCanary(d *deployment, v any) *ccError {
	if d.strategy != "canary" {
		return errUnprocessable("Options canary are only valid for Canary deployments")
	}
	c, ok := v.(map[string]any)
	if !ok {
		return errUnprocessable("Options canary must be an object")
	}
	steps, _ := c["steps"].([]any)
	prev := 0
	for _, raw := range steps {
		st, ok := raw.(map[string]any)
		if !ok {
			return errUnprocessable(`Canary steps must be an array of objects`)
		}
		w, present := st["instance_weight"]
		if !present {
			return errUnprocessable(`Canary steps missing key: "instance_weight"`)
		}
		n, ok := wholeNumber(w)
		if !ok || n < 1 || n > 100 {
			return errUnprocessable("Canary steps instance_weight must be an Integer between 1-100 (inclusive)")
		}
		if n < prev {
			return errUnprocessable("Canary steps must be sorted in ascending order")
		}
		prev = n
		d.steps = append(d.steps, canaryStep{weight: n})
	}
	return nil
}

func wholeNumber(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) {
		return 0, false
	}
	return int(f), true
}

func humanize(k string) string {
	s := strings.ReplaceAll(k, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
