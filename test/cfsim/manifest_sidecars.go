package cfsim

import (
	"encoding/json"
	"strings"
)

// manifestSidecar is one entry of a manifest's sidecars.
type manifestSidecar struct {
	Name         any `yaml:"name"`
	Command      any `yaml:"command"`
	ProcessTypes any `yaml:"process_types"`
	Memory       any `yaml:"memory"`
}

// body turns the entry into a sidecar request as CC's manifest message does (memory with
// units becomes memory_in_mb), with the keys the entry has.
func (ms manifestSidecar) body() (sidecarBody, map[string]json.RawMessage) {
	keys := map[string]json.RawMessage{}
	raw := func(key string, v any) json.RawMessage {
		if v == nil {
			return nil
		}
		b, _ := json.Marshal(v)
		keys[key] = b
		return b
	}
	memory := ms.Memory
	if text, ok := memory.(string); ok {
		if mb, ok := megabytes(text); ok {
			memory = mb
		}
	}
	return sidecarBody{Name: raw("name", ms.Name), Command: raw("command", ms.Command),
		ProcessTypes: raw("process_types", ms.ProcessTypes), MemoryInMB: raw("memory_in_mb", memory)}, keys
}

// validateManifestSidecars gives CC's texts: `Sidecar "<name>": <message>`, or the message
// in lower case when the sidecar has no name.
func validateManifestSidecars(sidecars []manifestSidecar) []string {
	var msgs []string
	for _, ms := range sidecars {
		body, keys := ms.body()
		spec, errs := parseSidecar(body, keys, true)
		for _, e := range errs {
			if spec.name != nil {
				msgs = append(msgs, `Sidecar "`+*spec.name+`": `+e)
			} else {
				msgs = append(msgs, "Sidecar "+strings.ToLower(e))
			}
		}
	}
	return msgs
}

// applySidecars creates the manifest's sidecars, or updates those the app has by name.
// Callers hold s.mu.
func (s *Sim) applySidecars(a *app, sidecars []manifestSidecar) *ccError {
	for _, ms := range sidecars {
		body, keys := ms.body()
		spec, _ := parseSidecar(body, keys, true)
		var err *ccError
		if sc := s.sidecarNamed(a.guid, *spec.name); sc != nil {
			err = s.changeSidecar(sc, spec)
		} else {
			_, err = s.newSidecar(a, spec)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Sim) sidecarNamed(appGUID, name string) *sidecar {
	for _, sc := range s.appSidecars(appGUID, "") {
		if sc.name == name {
			return sc
		}
	}
	return nil
}
