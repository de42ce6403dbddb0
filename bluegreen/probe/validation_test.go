package probe_test

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/probe"
)

var _ = Describe("input validation", func() {
	route := probe.Route{Host: host}

	DescribeTable("rejects a backend that cannot be verified, before any probe",
		func(b probe.Backend, want string) {
			fake := newFakeRouter()
			for _, await := range []func(*probe.Prober) (probe.Result, error){
				func(p *probe.Prober) (probe.Result, error) { return p.AwaitPresent(context.Background(), route, b) },
				func(p *probe.Prober) (probe.Result, error) { return p.AwaitAbsent(context.Background(), route, b) },
			} {
				res, err := await(newProber(fake.srv.URL))
				Expect(err).To(MatchError(ContainSubstring(want)))
				Expect(res.Probes).To(BeZero())
			}
			Expect(fake.requests.Load()).To(BeZero())
		},
		Entry("nothing identifies it", probe.Backend{Instances: 1}, "neither AppGUID, ProcessGUID nor Marker"),
		Entry("no instances with AppGUID", probe.Backend{AppGUID: appA}, "Instances must be at least 1, got 0"),
		Entry("no instances with ProcessGUID", probe.Backend{ProcessGUID: process1, Instances: -1}, "Instances must be at least 1"),
		Entry("a malformed guid", probe.Backend{AppGUID: "not-a-guid", Instances: 1}, `guid "not-a-guid" is not a UUID`),
		Entry("two ways at once", probe.Backend{AppGUID: appA, Instances: 1, Marker: &probe.Marker{Header: "X-V"}},
			"more than one of AppGUID, ProcessGUID and Marker"),
		Entry("an empty marker", probe.Backend{Marker: &probe.Marker{}}, "marker has neither Header nor BodyContains"),
		Entry("a marker value without a header", probe.Backend{Marker: &probe.Marker{Value: "v2"}}, `marker value "v2" has no Header`),
	)

	DescribeTable("rejects a prober or route it cannot use",
		func(p *probe.Prober, r probe.Route, want string) {
			_, err := p.AwaitPresent(context.Background(), r, probe.Backend{AppGUID: appA, Instances: 1})
			Expect(err).To(MatchError(ContainSubstring(want)))
			_, err = p.RunCheck(context.Background(), r, probe.Check{})
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("no client", &probe.Prober{}, route, "no http.Client"),
		Entry("no host", &probe.Prober{Client: http.DefaultClient}, probe.Route{}, "route has no host"),
		Entry("a relative path", &probe.Prober{Client: http.DefaultClient}, probe.Route{Host: host, Path: "p"}, "must start with /"),
		Entry("a base that is not a URL", &probe.Prober{Client: http.DefaultClient, Bases: []string{"router-0:80"}}, route,
			"must be an http or https URL"),
		Entry("an odd scheme", &probe.Prober{Client: http.DefaultClient, Scheme: "ftp"}, route, "scheme must be http or https"),
	)
})
