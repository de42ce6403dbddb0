package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"fmt"
)

// FreeMemory reads the org and space quotas and their usage.
func (c *Client) FreeMemory(ctx context.Context, s platform.Space) (platform.Headroom, error) {
	var h platform.Headroom
	var err error
	if s.OrgQuotaGUID != "" {
		h.OrgFreeMB, err = free("org", func() (*int, error) {
			q, err := c.cf.OrganizationQuotas.Get(ctx, s.OrgQuotaGUID)
			if err != nil {
				return nil, err
			}
			return q.Apps.TotalMemoryInMB, nil
		}, func() (int, error) {
			u, err := c.cf.Organizations.GetUsageSummary(ctx, s.OrgGUID)
			if err != nil {
				return 0, err
			}
			return u.UsageSummary.MemoryInMb, nil
		})
		if err != nil {
			return h, err
		}
	}
	if s.QuotaGUID != "" {
		h.SpaceFreeMB, err = free("space", func() (*int, error) {
			q, err := c.cf.SpaceQuotas.Get(ctx, s.QuotaGUID)
			if err != nil {
				return nil, err
			}
			return q.Apps.TotalMemoryInMB, nil
		}, func() (int, error) {
			u, err := c.cf.Spaces.GetUsageSummary(ctx, s.GUID)
			if err != nil {
				return 0, err
			}
			return u.UsageSummary.MemoryInMb, nil
		})
	}
	return h, err
}

// free is a quota's total memory minus what is used; nil when the quota has no limit.
func free(owner string, limit func() (*int, error), used func() (int, error)) (*int, error) {
	total, err := limit()
	if err != nil {
		return nil, fmt.Errorf("read the %s quota: %w", owner, err)
	}
	if total == nil {
		return nil, nil
	}
	u, err := used()
	if err != nil {
		return nil, fmt.Errorf("read the %s's usage: %w", owner, err)
	}
	left := *total - u
	return &left, nil
}
