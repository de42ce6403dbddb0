package cfsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// sidecarBody is a create or update request; raw fields let validation tell a missing
// key from a wrong type, as CC's messages do.
type sidecarBody struct {
	Name         json.RawMessage `json:"name"`
	Command      json.RawMessage `json:"command"`
	ProcessTypes json.RawMessage `json:"process_types"`
	MemoryInMB   json.RawMessage `json:"memory_in_mb"`
}

// sidecarSpec is a validated sidecar request: nil fields were not given.
type sidecarSpec struct {
	name, command *string
	processTypes  []string
	memoryMB      *int
	memoryGiven   bool
}

func readSidecar(r *http.Request, create bool) (sidecarSpec, *ccError) {
	var body sidecarBody
	keys, err := decodeBodyKeys(r, &body, "name", "command", "process_types", "memory_in_mb")
	if err != nil {
		return sidecarSpec{}, err
	}
	spec, msgs := parseSidecar(body, keys, create)
	if len(msgs) > 0 {
		return sidecarSpec{}, errUnprocessable(strings.Join(msgs, ", "))
	}
	return spec, nil
}

// parseSidecar checks a request as CC's sidecar messages do and returns the full messages.
func parseSidecar(body sidecarBody, keys map[string]json.RawMessage, create bool) (sidecarSpec, []string) {
	var spec sidecarSpec
	var msgs []string
	for _, f := range []struct {
		key, label string
		raw        json.RawMessage
		dst        **string
	}{{"name", "Name", body.Name, &spec.name}, {"command", "Command", body.Command, &spec.command}} {
		if _, given := keys[f.key]; !given && !create {
			continue
		}
		var v string
		err := json.Unmarshal(f.raw, &v)
		switch {
		case len(f.raw) == 0 || string(f.raw) == "null":
			msgs = append(msgs, f.label+" can't be blank", f.label+" must be a string")
		case err != nil:
			msgs = append(msgs, f.label+" must be a string")
		case strings.TrimSpace(v) == "":
			msgs = append(msgs, f.label+" can't be blank")
		default:
			*f.dst = &v
		}
	}
	if _, given := keys["process_types"]; given || create {
		if err := json.Unmarshal(body.ProcessTypes, &spec.processTypes); err != nil || spec.processTypes == nil {
			msgs = append(msgs, "Process types must be an array")
		}
		if len(spec.processTypes) == 0 {
			msgs = append(msgs, "Process types must have at least 1 process_type")
		}
	}
	if _, spec.memoryGiven = keys["memory_in_mb"]; spec.memoryGiven && string(body.MemoryInMB) != "null" {
		var msg string
		spec.memoryMB, msg = sidecarMemory(body.MemoryInMB)
		if msg != "" {
			msgs = append(msgs, msg)
		}
	}
	return spec, msgs
}

// sidecarMemory reads memory_in_mb as CC's numericality check does.
func sidecarMemory(raw json.RawMessage) (*int, string) {
	var n any
	_ = json.Unmarshal(raw, &n)
	mb, isNumber := n.(float64)
	switch {
	case !isNumber:
		return nil, "Memory in mb is not a number"
	case mb != float64(int(mb)):
		return nil, "Memory in mb must be an integer"
	case mb <= 0:
		return nil, "Memory in mb must be greater than 0"
	}
	return ptr(int(mb)), ""
}

func ptr[T any](v T) *T { return &v }
