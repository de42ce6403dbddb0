package cfsim_test

import (
	"bytes"
	"context"
	"net/http"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("route options and destination protocols", func() {
	var f *foundation
	ctx := context.Background()
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 1}) })
	AfterEach(func() { f.close() })

	It("keeps options, refuses what CC refuses and merges them on update", func() {
		rc := withHost(resource.NewRouteCreate(f.domain.GUID, f.SpaceGUID), "opts")
		rc.Options = &resource.RouteOptions{LoadBalancing: "least-connection"}
		route, err := f.cf.Routes.Create(ctx, rc)
		Expect(err).NotTo(HaveOccurred())
		Expect(route.Options.LoadBalancing).To(Equal("least-connection"))

		// go-cfclient's RouteUpdate has no options; the cf CLI's update-route sends this.
		_, err = f.call(http.MethodPatch, "/v3/routes/"+route.GUID, `{"options":{"loadbalancing":"round-robin"}}`)
		Expect(err).NotTo(HaveOccurred())
		route, err = f.cf.Routes.Get(ctx, route.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(route.Options.LoadBalancing).To(Equal("round-robin"))

		rc = withHost(resource.NewRouteCreate(f.domain.GUID, f.SpaceGUID), "hashed")
		rc.Options = &resource.RouteOptions{LoadBalancing: "hash"}
		_, err = f.cf.Routes.Create(ctx, rc)
		Expect(err).To(MatchError(ContainSubstring("Options Loadbalancing must be one of 'round-robin, least-connection' if present")))

		body := `{"host":"raw","relationships":{"domain":{"data":{"guid":"` + f.domain.GUID + `"}},"space":{"data":{"guid":"` +
			f.SpaceGUID + `"}}},"options":{"hash_header":"X-User","foo":"bar"}}`
		_, err = f.call(http.MethodPost, "/v3/routes", body)
		Expect(err).To(MatchError(ContainSubstring("Options Unknown field(s): 'foo', Options Unknown field(s): 'hash_header'")))
	})

	It("keeps a destination's protocol as given, http1 by default, and refuses tcp on HTTP routes", func() {
		app, err := f.cf.Applications.Create(ctx, resource.NewAppCreate("proto", f.SpaceGUID))
		Expect(err).NotTo(HaveOccurred())
		route, err := f.cf.Routes.Create(ctx, withHost(resource.NewRouteCreate(f.domain.GUID, f.SpaceGUID), "proto"))
		Expect(err).NotTo(HaveOccurred())
		dests, err := f.cf.Routes.InsertDestinations(ctx, route.GUID, []*resource.RouteDestinationInsertOrReplace{
			resource.NewRouteDestinationInsertOrReplace(app.GUID).WithProtocol("http2")})
		Expect(err).NotTo(HaveOccurred())
		Expect(*dests.Destinations[0].Protocol).To(Equal("http2"))

		updated, err := f.cf.Routes.UpdateDestinationProtocol(ctx, route.GUID, *dests.Destinations[0].GUID, "http1")
		Expect(err).NotTo(HaveOccurred())
		Expect(*updated.Protocol).To(Equal("http1"))
		Expect(updated.Links).To(HaveKey("route"))

		_, err = f.cf.Routes.InsertDestinations(ctx, route.GUID, []*resource.RouteDestinationInsertOrReplace{
			resource.NewRouteDestinationInsertOrReplace(app.GUID).WithProtocol("tcp")})
		Expect(err).To(MatchError(ContainSubstring("Cannot use 'tcp' protocol for http routes; valid options are: [http1, http2].")))
		_, err = f.cf.Routes.InsertDestinations(ctx, route.GUID, []*resource.RouteDestinationInsertOrReplace{
			resource.NewRouteDestinationInsertOrReplace(app.GUID).WithProtocol("h3")})
		Expect(err).To(MatchError(ContainSubstring("Destinations[0]: protocol must be 'http1', 'http2' or 'tcp'.")))
		_, err = f.cf.Routes.UpdateDestinationProtocol(ctx, route.GUID, *dests.Destinations[0].GUID, "tcp")
		Expect(err).To(MatchError(ContainSubstring("Destination protocol must be 'http1' or 'http2' if the parent route's protocol is 'http'")))
	})

	It("applies a manifest's route protocol and options, and presents them in the app's manifest", func() {
		Expect(f.applyManifest(`applications:
- name: mani
  routes:
  - route: mani.` + f.info.Domain + `
    protocol: http2
    options: {loadbalancing: least-connection}
  - route: mani.` + f.info.SecondDomain + `
`)).To(Succeed())
		app := f.appNamed("mani")
		routes, err := f.cf.Routes.ListForAppAll(ctx, app.GUID, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(routes).To(HaveLen(2))
		Expect(routes[0].Options.LoadBalancing).To(Equal("least-connection"))
		Expect(*routes[0].Destinations[0].Protocol).To(Equal("http2"))
		Expect(*routes[1].Destinations[0].Protocol).To(Equal("http1"))

		var m struct {
			Applications []struct {
				Routes []map[string]any `yaml:"routes"`
			} `yaml:"applications"`
		}
		text, err := f.cf.Manifests.Generate(ctx, app.GUID)
		Expect(err).NotTo(HaveOccurred())
		Expect(yaml.Unmarshal([]byte(text), &m)).To(Succeed())
		Expect(m.Applications[0].Routes).To(Equal([]map[string]any{
			{"route": "mani." + f.info.Domain, "protocol": "http2", "options": map[string]any{"loadbalancing": "least-connection"}},
			{"route": "mani." + f.info.SecondDomain, "protocol": "http1", "options": map[string]any{}},
		}))
	})

	It("refuses bad manifest route protocols and options at once, prefixed with the app", func() {
		status, body := f.raw(http.MethodPost, "/v3/spaces/"+f.SpaceGUID+"/actions/apply_manifest", "application/x-yaml", `applications:
- name: bad
  random-route: true
  default-route: true
  routes:
  - route: bad.`+f.info.Domain+`
    protocol: http3
    options: {loadbalancing: hash, hash_header: X-User}
`)
		Expect(status).To(Equal(422))
		Expect(body).To(MatchJSON(`{"errors":[` +
			`{"code":10008,"title":"CF-UnprocessableEntity","detail":"For application 'bad': Route protocol must be 'http1', 'http2' or 'tcp'."},` +
			`{"code":10008,"title":"CF-UnprocessableEntity","detail":"For application 'bad': Route 'bad.` + f.info.Domain + `' contains invalid route option 'hash_header'. Valid keys: 'loadbalancing'"},` +
			`{"code":10008,"title":"CF-UnprocessableEntity","detail":"For application 'bad': Cannot use loadbalancing value 'hash' for Route 'bad.` + f.info.Domain + `'; Valid values are: 'round-robin, least-connection'"},` +
			`{"code":10008,"title":"CF-UnprocessableEntity","detail":"For application 'bad': Random-route and default-route may not be used together"}]}`))
	})
})

// call sends a request with go-cfclient's token and returns the body, or CC's error.
func (f *foundation) call(method, path, body string) (string, error) {
	req, err := http.NewRequest(method, f.info.APIURL+path, bytes.NewBufferString(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.cf.ExecuteAuthRequest(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return buf.String(), err
}

// applyManifest applies a manifest in the foundation's space and waits for its job.
func (f *foundation) applyManifest(manifest string) error {
	ctx := context.Background()
	job, err := f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID, manifest)
	if err != nil {
		return err
	}
	return f.cf.Jobs.PollComplete(ctx, job, fastPoll())
}

// raw sends a request with go-cfclient's token and returns the status and body as they are.
func (f *foundation) raw(method, path, contentType, body string) (int, string) {
	req, err := http.NewRequest(method, f.info.APIURL+path, bytes.NewBufferString(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", contentType)
	resp, err := f.cf.HTTPAuthClient().Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, buf.String()
}
