package fakecf

import (
	"context"
	"slices"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// RecentLogs answers the app's lines from the Logs knob, the newest limit of them.
func (f *Foundation) RecentLogs(_ context.Context, appGUID string, limit int) ([]platform.LogLine, error) {
	return read(f, &f.mu, Call{Method: "RecentLogs", Args: []string{appGUID}}, func() ([]platform.LogLine, error) {
		a := f.apps[appGUID]
		if a == nil {
			return []platform.LogLine{}, nil
		}
		lines := f.Logs[a.Name]
		limit = min(max(limit, 0), 1000) // as the port does: none asked, or Log Cache's most
		if len(lines) > limit {
			lines = lines[len(lines)-limit:]
		}
		return slices.Clone(lines), nil
	})
}
