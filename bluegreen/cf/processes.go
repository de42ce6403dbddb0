package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

func toProcess(p *resource.Process) platform.Process {
	return platform.Process{GUID: p.GUID, Type: p.Type, Instances: p.Instances, MemoryMB: p.MemoryInMB,
		DiskMB: p.DiskInMB, LogRateLimit: p.LogRateLimitInBytesPerSecond}
}

// AppProcesses lists every process type of the app with its size, web first, the others by type.
// During a deployment CC lists two processes of a type; the newest is the one CC itself resolves
// the type to (as WebProcess does).
func (c *Client) AppProcesses(ctx context.Context, appGUID string) ([]platform.Process, error) {
	procs, err := c.cf.Processes.ListForAppAll(ctx, appGUID, nil)
	if err != nil {
		return nil, fmt.Errorf("list processes of app %s: %w", appGUID, err)
	}
	newest := map[string]*resource.Process{}
	for _, p := range procs { // oldest first
		if cur, ok := newest[p.Type]; !ok || !p.CreatedAt.Before(cur.CreatedAt) {
			newest[p.Type] = p
		}
	}
	out := make([]platform.Process, 0, len(newest))
	for _, p := range newest {
		out = append(out, toProcess(p))
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Type == "web") != (out[j].Type == "web") {
			return out[i].Type == "web"
		}
		return out[i].Type < out[j].Type
	})
	return out, nil
}

// TypeInstances reads the instance states of the app's (newest) process of that type.
func (c *Client) TypeInstances(ctx context.Context, appGUID, processType string) ([]platform.Instance, error) {
	stats, err := c.cf.Processes.GetStatsForApp(ctx, appGUID, processType)
	if err != nil {
		return nil, fmt.Errorf("read %s instances of app %s: %w", processType, appGUID, err)
	}
	return toInstances(stats), nil
}

// ScaleProcess sets the sizes s gives (POST /v3/processes/:guid/actions/scale); nil fields are
// not sent, so CC keeps them. CC refuses to scale a web process while a deployment is in
// flight (422), and refuses sizes over the quota.
func (c *Client) ScaleProcess(ctx context.Context, processGUID string, s platform.Scale) error {
	if s.Empty() {
		return nil
	}
	req := &resource.ProcessScale{Instances: s.Instances, MemoryInMB: s.MemoryMB, DiskInMB: s.DiskMB,
		LogRateLimitInBytesPerSecond: s.LogRateLimit}
	if _, err := c.cf.Processes.Scale(ctx, processGUID, req); err != nil {
		return fmt.Errorf("scale process %s to %s: %w", processGUID, describeScale(s), err)
	}
	return nil
}

// describeScale says what a scale asks for, e.g. "instances=3 memory=256M".
func describeScale(s platform.Scale) string {
	var parts []string
	for _, f := range []struct {
		name, unit string
		v          *int
	}{{"instances", "", s.Instances}, {"memory", "M", s.MemoryMB}, {"disk", "M", s.DiskMB}, {"log_rate_limit", "B/s", s.LogRateLimit}} {
		if f.v != nil {
			parts = append(parts, fmt.Sprintf("%s=%d%s", f.name, *f.v, f.unit))
		}
	}
	return strings.Join(parts, " ")
}
