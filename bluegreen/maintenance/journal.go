package maintenance

import (
	"context"
	"sort"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// journal is the switch's state on the app: where it is, which routes it moves (recorded before
// the first one moves, so a switch stopped halfway knows them all), and the responder's name.
type journal struct {
	state     string
	routes    []string // guids, sorted
	responder string
}

func readJournal(a *platform.App) journal {
	j := journal{state: a.Annotations[bluegreen.AnnMaintenance], responder: a.Annotations[bluegreen.AnnMaintenanceResponder]}
	for guid := range bluegreen.MaintenanceRoutes(a) {
		j.routes = append(j.routes, guid)
	}
	sort.Strings(j.routes)
	if j.state == "" {
		j.state = Off
	}
	return j
}

// write records the journal on the app; off forgets the routes and the responder.
func (s *switcher) write(ctx context.Context, j journal) error {
	state, routes, responder := j.state, strings.Join(j.routes, ","), j.responder
	ann := map[string]*string{bluegreen.AnnMaintenance: &state,
		bluegreen.AnnMaintenanceRoutes: &routes, bluegreen.AnnMaintenanceResponder: &responder}
	if j.state == Off {
		ann[bluegreen.AnnMaintenanceRoutes], ann[bluegreen.AnnMaintenanceResponder] = nil, nil
	}
	if err := s.CC.Update(ctx, s.Live.GUID, s.Live.Name, nil, ann); err != nil {
		return err
	}
	s.j = j
	return nil
}

// routes reads the journal's routes from CC.
func (s *switcher) routes(ctx context.Context) ([]platform.Route, error) {
	var out []platform.Route
	for _, guid := range s.j.routes {
		r, err := s.CC.Route(ctx, guid)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func guids(routes []platform.Route) []string {
	var out []string
	for _, r := range routes {
		out = append(out, r.GUID)
	}
	sort.Strings(out)
	return out
}
