package fakecf

import (
	"context"
	"slices"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// SeedPolicy adds a network policy, as cf add-network-policy does.
func (f *Foundation) SeedPolicy(p platform.Policy) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addPolicy(p)
}

// PoliciesOf lists the policies where the app is the source or the destination.
func (f *Foundation) PoliciesOf(appGUID string) []platform.Policy {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.policiesOf(appGUID)
}

func (f *Foundation) policiesOf(appGUID string) []platform.Policy {
	out := []platform.Policy{}
	for _, p := range f.policies {
		if p.SourceGUID == appGUID || p.DestinationGUID == appGUID {
			out = append(out, p)
		}
	}
	return out
}

// addPolicy adds a policy unless it exists: the policy server's create is idempotent.
func (f *Foundation) addPolicy(p platform.Policy) {
	if !slices.Contains(f.policies, p) {
		f.policies = append(f.policies, p)
	}
}

func (f *Foundation) Policies(_ context.Context, appGUID string) ([]platform.Policy, error) {
	return read(f, &f.mu, Call{Method: "Policies", Args: []string{appGUID}}, func() ([]platform.Policy, error) {
		return f.policiesOf(appGUID), nil
	})
}

func (f *Foundation) AddPolicies(_ context.Context, ps []platform.Policy) error {
	return f.locked(Call{Method: "AddPolicies"}, func() error {
		for _, p := range ps {
			f.addPolicy(p)
		}
		return nil
	})
}
