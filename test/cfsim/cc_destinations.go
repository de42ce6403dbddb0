package cfsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

func (s *Sim) presentDestination(d *destination) map[string]any {
	return map[string]any{"guid": d.guid,
		"app":    map[string]any{"guid": d.appGUID, "process": map[string]string{"type": d.processType}},
		"weight": nil, "port": d.port, "protocol": d.protocol,
		"created_at": timestamp(d.created), "updated_at": timestamp(d.created)}
}

func (s *Sim) presentDestinations(rt *route) []any {
	ds := append([]*destination(nil), rt.destinations...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].guid < ds[j].guid })
	out := []any{}
	for _, d := range ds {
		out = append(out, s.presentDestination(d))
	}
	return out
}

func (s *Sim) presentDestinationList(rt *route) map[string]any {
	path := "/v3/routes/" + rt.guid
	return map[string]any{"destinations": s.presentDestinations(rt),
		"links": map[string]any{"self": link(s.base, path+"/destinations"), "route": link(s.base, path)}}
}

func (s *Sim) getDestinations(w http.ResponseWriter, _ *http.Request, rt *route) {
	writeJSON(w, http.StatusOK, s.presentDestinationList(rt))
}

type destinationBody struct {
	App struct {
		GUID    string `json:"guid"`
		Process *struct {
			Type string `json:"type"`
		} `json:"process"`
	} `json:"app"`
	Port     *int            `json:"port"`
	Protocol json.RawMessage `json:"protocol"`
}

// destinationProtocols are the values CC accepts; tcp is refused later on HTTP routes.
var destinationProtocols = []string{"http1", "http2", "tcp"}

// parseDestinations validates a destinations request as CC does: message errors first
// (per destination, joined), then apps in the route's space, then protocols that do not
// fit an HTTP route.
func (s *Sim) parseDestinations(r *http.Request, rt *route) ([]*destination, *ccError) {
	var body struct {
		Destinations []destinationBody `json:"destinations"`
	}
	if err := decodeBody(r, &body, "destinations"); err != nil {
		return nil, err
	}
	var msgs []string
	for i, d := range body.Destinations {
		prefix := fmt.Sprintf("Destinations[%d]: ", i)
		if d.Port != nil && (*d.Port < 1024 || *d.Port > 65535) {
			msgs = append(msgs, prefix+"port must be a positive integer between 1024 and 65535 inclusive.")
		}
		if p, ok := protocolOf(d.Protocol); !ok || (p != "" && !slices.Contains(destinationProtocols, p)) {
			msgs = append(msgs, prefix+"protocol must be 'http1', 'http2' or 'tcp'.")
		}
	}
	if len(msgs) > 0 {
		return nil, errUnprocessable(strings.Join(msgs, ", "))
	}
	var out []*destination
	for _, d := range body.Destinations {
		a, ok := s.apps[d.App.GUID]
		if !ok || a.spaceGUID != rt.spaceGUID {
			return nil, errUnprocessable(fmt.Sprintf("App(s) with guid(s) \"%s\" do not exist or you do not have access.", d.App.GUID))
		}
		dest := &destination{guid: newGUID(), appGUID: a.guid, processType: "web", port: 8080, protocol: "http1", created: time.Now()}
		if d.App.Process != nil && d.App.Process.Type != "" {
			dest.processType = d.App.Process.Type
		}
		if d.Port != nil {
			dest.port = *d.Port
		}
		if p, _ := protocolOf(d.Protocol); p == "tcp" {
			return nil, errUnprocessable("Cannot use 'tcp' protocol for http routes; valid options are: [http1, http2].")
		} else if p != "" {
			dest.protocol = p
		}
		out = append(out, dest)
	}
	return out, nil
}

// protocolOf reads an optional protocol: absent or null is "", anything but a string is
// not ok.
func protocolOf(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	var p string
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", false
	}
	return p, true
}

// insertDestinations maps apps to the route, keeping existing mappings
// (docs/platform/routing.md#destinations).
func (s *Sim) insertDestinations(w http.ResponseWriter, r *http.Request, rt *route) {
	dests, err := s.parseDestinations(r, rt)
	if err != nil {
		writeError(w, err)
		return
	}
	for _, d := range dests {
		if !hasDestination(rt, d) {
			rt.destinations = append(rt.destinations, d)
			s.recordAppEvent("audit.app.map-route", s.apps[d.appGUID], routeEventData(rt, d))
		}
	}
	rt.updated = time.Now()
	s.changed()
	writeJSON(w, http.StatusOK, s.presentDestinationList(rt))
}

// hasDestination: one mapping per app, process type and port.
func hasDestination(rt *route, d *destination) bool {
	return sameDestination(rt.destinations, d) != nil
}

// sameDestination finds the mapping of d's app, process type and port in ds.
func sameDestination(ds []*destination, d *destination) *destination {
	for _, e := range ds {
		if e.appGUID == d.appGUID && e.processType == d.processType && e.port == d.port {
			return e
		}
	}
	return nil
}

func (s *Sim) replaceDestinations(w http.ResponseWriter, r *http.Request, rt *route) {
	dests, err := s.parseDestinations(r, rt)
	if err != nil {
		writeError(w, err)
		return
	}
	old := rt.destinations
	rt.destinations = nil
	for _, d := range dests {
		if kept := sameDestination(old, d); kept != nil && kept.protocol == d.protocol {
			d = kept // a mapping that stays keeps its guid
		}
		if !hasDestination(rt, d) {
			rt.destinations = append(rt.destinations, d)
		}
	}
	s.recordReplacedDestinations(rt, old)
	rt.updated = time.Now()
	s.changed()
	writeJSON(w, http.StatusOK, s.presentDestinationList(rt))
}

// updateDestination changes one destination's protocol (PATCH .../destinations/:guid).
func (s *Sim) updateDestination(w http.ResponseWriter, r *http.Request, rt *route) {
	var body struct {
		Protocol json.RawMessage `json:"protocol"`
	}
	keys, err := decodeBodyKeys(r, &body, "protocol")
	if err != nil {
		writeError(w, err)
		return
	}
	p, ok := protocolOf(body.Protocol)
	if _, requested := keys["protocol"]; requested && (!ok || !slices.Contains(destinationProtocols, p)) {
		writeError(w, errUnprocessable("Destination protocol must be 'http1', 'http2' or 'tcp'."))
		return
	}
	i := slices.IndexFunc(rt.destinations, func(d *destination) bool { return d.guid == r.PathValue("dguid") })
	if i < 0 {
		writeError(w, errUnprocessable("Unable to unmap route from destination. Ensure the route has a destination with this guid."))
		return
	}
	if p == "tcp" {
		writeError(w, errUnprocessable("Destination protocol must be 'http1' or 'http2' if the parent route's protocol is 'http'"))
		return
	}
	if p != "" {
		rt.destinations[i].protocol = p
	}
	s.changed()
	out := s.presentDestination(rt.destinations[i])
	out["links"] = map[string]any{"destinations": link(s.base, "/v3/routes/"+rt.guid+"/destinations"),
		"route": link(s.base, "/v3/routes/"+rt.guid)}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) removeDestination(w http.ResponseWriter, r *http.Request, rt *route) {
	i := slices.IndexFunc(rt.destinations, func(d *destination) bool { return d.guid == r.PathValue("dguid") })
	if i < 0 {
		writeError(w, errUnprocessable("Unable to unmap route from destination. Ensure the route has a destination with this guid."))
		return
	}
	s.recordAppEvent("audit.app.unmap-route", s.apps[rt.destinations[i].appGUID], routeEventData(rt, rt.destinations[i]))
	rt.destinations = slices.Delete(rt.destinations, i, i+1)
	rt.updated = time.Now()
	s.changed()
	w.WriteHeader(http.StatusNoContent)
}

func keepDestinations(ds []*destination, keep func(*destination) bool) []*destination {
	var out []*destination
	for _, d := range ds {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// recordReplacedDestinations records unmap-route for mappings a replace dropped and
// map-route for the ones it added (kept mappings record nothing).
func (s *Sim) recordReplacedDestinations(rt *route, old []*destination) {
	for _, d := range old {
		if !hasDestination(rt, d) {
			s.recordAppEvent("audit.app.unmap-route", s.apps[d.appGUID], routeEventData(rt, d))
		}
	}
	for _, d := range rt.destinations {
		if sameDestination(old, d) == nil {
			s.recordAppEvent("audit.app.map-route", s.apps[d.appGUID], routeEventData(rt, d))
		}
	}
}
