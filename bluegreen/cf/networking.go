package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Network policies live in the policy server, at the root's network_policy_v1 link
// (docs/platform/networking.md, "Network policies"), in its own JSON.

type policyJSON struct {
	Source      policySource      `json:"source"`
	Destination policyDestination `json:"destination"`
}

type policySource struct {
	ID string `json:"id"`
}

type policyDestination struct {
	ID       string      `json:"id"`
	Protocol string      `json:"protocol"`
	Ports    policyPorts `json:"ports"`
}

type policyPorts struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

type policiesJSON struct {
	Policies []policyJSON `json:"policies"`
}

func (c *Client) policiesURL(ctx context.Context) (string, error) {
	base, err := c.rootLink(ctx, "network_policy_v1", func(l resource.RootLinks) resource.Link { return l.NetworkPolicyV1 })
	if err != nil {
		return "", err
	}
	return base + "/policies", nil
}

// Policies lists the network policies where the app is the source or the destination
// (GET .../policies?id=<app>).
func (c *Client) Policies(ctx context.Context, appGUID string) ([]platform.Policy, error) {
	u, err := c.policiesURL(ctx)
	if err != nil {
		return nil, fmt.Errorf("list network policies of app %s: %w", appGUID, err)
	}
	var got policiesJSON
	if err := c.exchange(ctx, http.MethodGet, u+"?id="+url.QueryEscape(appGUID), nil, &got); err != nil {
		return nil, fmt.Errorf("list network policies of app %s: %w", appGUID, err)
	}
	out := make([]platform.Policy, 0, len(got.Policies))
	for _, p := range got.Policies {
		out = append(out, platform.Policy{SourceGUID: p.Source.ID, DestinationGUID: p.Destination.ID,
			Protocol: p.Destination.Protocol, StartPort: p.Destination.Ports.Start, EndPort: p.Destination.Ports.End})
	}
	return out, nil
}

// AddPolicies creates network policies (POST .../policies). The policy server creates each one
// only if it does not exist, so adding a policy again changes nothing, and a lost answer is
// simply sent again (transport.go).
func (c *Client) AddPolicies(ctx context.Context, ps []platform.Policy) error {
	if len(ps) == 0 {
		return nil // the policy server refuses an empty list ("missing policies")
	}
	u, err := c.policiesURL(ctx)
	if err != nil {
		return fmt.Errorf("add network policies: %w", err)
	}
	body := policiesJSON{Policies: make([]policyJSON, 0, len(ps))}
	for _, p := range ps {
		body.Policies = append(body.Policies, policyJSON{Source: policySource{ID: p.SourceGUID},
			Destination: policyDestination{ID: p.DestinationGUID, Protocol: p.Protocol,
				Ports: policyPorts{Start: p.StartPort, End: p.EndPort}}})
	}
	if err := c.exchange(ctx, http.MethodPost, u, body, nil); err != nil {
		return fmt.Errorf("add %d network policies: %w", len(ps), err)
	}
	return nil
}
