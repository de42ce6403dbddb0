package cf

import (
	"context"
	"fmt"
)

// Headroom is the memory a space can still start: nil means unlimited.
type Headroom struct {
	OrgFreeMB   *int
	SpaceFreeMB *int
}

// FreeMemory reads the org and space quotas and their usage.
func (c *Client) FreeMemory(ctx context.Context, s Space) (Headroom, error) {
	var h Headroom
	if s.OrgQuotaGUID != "" {
		q, err := c.cf.OrganizationQuotas.Get(ctx, s.OrgQuotaGUID)
		if err != nil {
			return h, fmt.Errorf("read the org quota: %w", err)
		}
		if q.Apps.TotalMemoryInMB != nil {
			u, err := c.cf.Organizations.GetUsageSummary(ctx, s.OrgGUID)
			if err != nil {
				return h, fmt.Errorf("read the org's usage: %w", err)
			}
			free := *q.Apps.TotalMemoryInMB - u.UsageSummary.MemoryInMb
			h.OrgFreeMB = &free
		}
	}
	if s.QuotaGUID != "" {
		q, err := c.cf.SpaceQuotas.Get(ctx, s.QuotaGUID)
		if err != nil {
			return h, fmt.Errorf("read the space quota: %w", err)
		}
		if q.Apps.TotalMemoryInMB != nil {
			u, err := c.cf.Spaces.GetUsageSummary(ctx, s.GUID)
			if err != nil {
				return h, fmt.Errorf("read the space's usage: %w", err)
			}
			free := *q.Apps.TotalMemoryInMB - u.UsageSummary.MemoryInMb
			h.SpaceFreeMB = &free
		}
	}
	return h, nil
}
