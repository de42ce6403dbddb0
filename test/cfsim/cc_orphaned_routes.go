package cfsim

import (
	"net/http"
	"strings"
)

// deleteUnmappedRoutes is DELETE /v3/spaces/:guid/routes?unmapped=true (cf
// delete-orphaned-routes): a job that deletes every route of the space with no destination
// (and no route binding, of which cfsim has none). Anything but unmapped=true is refused as
// CC's message refuses it, before the space is looked up.
func (s *Sim) deleteUnmappedRoutes(w http.ResponseWriter, r *http.Request) {
	if err := unmappedQueryError(r); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.spaceIn(w, r)
	if !ok {
		return
	}
	j := s.startJob("space.delete_unmapped_routes", sp.guid, func() []*ccError {
		for guid, rt := range s.routes {
			if rt.spaceGUID == sp.guid && len(rt.destinations) == 0 {
				delete(s.routes, guid)
			}
		}
		s.changed()
		return nil
	})
	writeAccepted(w, s.jobURL(j))
}

func unmappedQueryError(r *http.Request) *ccError {
	q := r.URL.Query()
	var msgs []string
	var unknown []string
	for _, k := range sortedKeys(q) {
		if k != "unmapped" {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		msgs = append(msgs, "Unknown field(s): '"+strings.Join(unknown, "', '")+"'")
	}
	v, requested := q["unmapped"]
	value := ""
	if requested {
		value = v[0]
	}
	if strings.TrimSpace(value) == "" {
		msgs = append(msgs, "Unmapped can't be blank")
	}
	if !requested {
		msgs = append(msgs, "Mass delete not supported for routes. Use 'unmapped=true' parameter to delete all unmapped routes.")
	}
	switch value {
	case "true":
	case "false":
		msgs = append(msgs, "Mass delete not supported for mapped routes. Use 'unmapped=true' parameter to delete all unmapped routes.")
	default:
		msgs = append(msgs, "Unmapped must be a boolean")
	}
	if len(msgs) > 0 {
		return errUnprocessable(strings.Join(msgs, ", "))
	}
	return nil
}
