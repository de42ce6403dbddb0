package bluegreen

import (
	"context"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

// Login says how to reach and log in to a foundation, and its routers.
type Login struct {
	API                    string
	Username, Password     string
	ClientID, ClientSecret string
	SkipCertCheck          bool
	CACert                 string   // PEM, trusted in addition to the system pool
	RouterURLs             []string // probe these routers one by one instead of the route's own address
}

// Foundation is a logged-in foundation: its Cloud Controller, which plays every role the flows
// ask for, and a prober for its routers.
type Foundation struct {
	CC    *cf.Client
	Probe *probe.Prober
}

// Connect logs in to the Cloud Controller and prepares the prober.
func Connect(ctx context.Context, l Login) (Foundation, error) {
	cc, err := cf.Connect(ctx, cf.Config{API: l.API, Username: l.Username, Password: l.Password,
		ClientID: l.ClientID, ClientSecret: l.ClientSecret, SkipCertCheck: l.SkipCertCheck, CACert: l.CACert,
		UserAgent: "cf-bluegreen-resource"})
	if err != nil {
		return Foundation{}, err
	}
	httpClient, err := cf.HTTPClient(l.SkipCertCheck, l.CACert)
	if err != nil {
		return Foundation{}, err
	}
	return Foundation{CC: cc, Probe: &probe.Prober{Bases: l.RouterURLs, Client: httpClient}}, nil
}
