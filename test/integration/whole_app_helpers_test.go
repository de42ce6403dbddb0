package integration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// createOtherApp pushes another app into the space (a policy's other end); it returns its guid.
func (w *world) createOtherApp(name string) string {
	ctx := context.Background()
	p, err := cfpush.NewPusher(ctx, w.cf, w.info.Space, w.info.Domain)
	Expect(err).NotTo(HaveOccurred())
	zip := filepath.Join(w.inputs, name+".zip")
	Expect(cfpush.ZipApp(zip, bins.Versioned, "web: ./versioned\n")).To(Succeed())
	app, _, err := p.Push(ctx, cfpush.App{Name: name, Version: "other", Instances: 1}, zip, false)
	Expect(err).NotTo(HaveOccurred())
	return app.GUID
}

// policies are the policy server's JSON, as cf add-network-policy sends it.
type policies struct {
	Policies []struct {
		Source struct {
			ID string `json:"id"`
		} `json:"source"`
		Destination struct {
			ID       string `json:"id"`
			Protocol string `json:"protocol"`
			Ports    struct {
				Start int `json:"start"`
				End   int `json:"end"`
			} `json:"ports"`
		} `json:"destination"`
	} `json:"policies"`
}

// addPolicy lets source reach destination on TCP 8080, as cf add-network-policy does.
func (w *world) addPolicy(source, destination string) {
	body := fmt.Sprintf(`{"policies":[{"source":{"id":%q},"destination":{"id":%q,"protocol":"tcp","ports":{"start":8080,"end":8080}}}]}`,
		source, destination)
	w.policyServer(http.MethodPost, "/networking/v1/external/policies", body)
}

// policiesFrom lists the destinations of the policies whose source is the app.
func (w *world) policiesFrom(source string) []string {
	var ps policies
	Expect(json.Unmarshal(w.policyServer(http.MethodGet, "/networking/v1/external/policies?id="+source, ""), &ps)).To(Succeed())
	var out []string
	for _, p := range ps.Policies {
		if p.Source.ID == source {
			out = append(out, p.Destination.ID)
		}
	}
	return out
}

func (w *world) policyServer(method, path, body string) []byte {
	req, err := http.NewRequest(method, w.info.APIURL+path, bytes.NewBufferString(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.cf.ExecuteAuthRequest(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.StatusCode).To(BeNumerically("<", 300), string(data))
	return data
}

// routeNamed is the route of that URL.
func (w *world) routeNamed(url string) *resource.Route {
	routes, err := w.cf.Routes.ListAll(context.Background(), nil)
	Expect(err).NotTo(HaveOccurred())
	for _, r := range routes {
		if r.URL == url {
			return r
		}
	}
	Fail("no route " + url)
	return nil
}

// setProtocol sets the app's destination protocol on the route, as cf map-route --app-protocol.
func (w *world) setProtocol(url, protocol string) {
	r := w.routeNamed(url)
	dest := resource.NewRouteDestinationInsertOrReplace(w.appNamed(appName).GUID).WithProtocol(protocol)
	_, err := w.cf.Routes.ReplaceDestinations(context.Background(), r.GUID, []*resource.RouteDestinationInsertOrReplace{dest})
	Expect(err).NotTo(HaveOccurred())
}

// protocolOn is the app's destination protocol on the route.
func (w *world) protocolOn(url, app string) string {
	guid := w.appNamed(app).GUID
	for _, d := range w.routeNamed(url).Destinations {
		if d.App.GUID != nil && *d.App.GUID == guid && d.Protocol != nil {
			return *d.Protocol
		}
	}
	return ""
}

// routesOf lists the URLs of the routes mapped to the app.
func (w *world) routesOf(app string) []string {
	routes, err := w.cf.Routes.ListForAppAll(context.Background(), w.appNamed(app).GUID, client.NewRouteListOptions())
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, r := range routes {
		out = append(out, r.URL)
	}
	return out
}

// servesHost is the version the load balancer answers for the host, or its status and router
// error when no app answers.
func (w *world) servesHost(host string) string {
	status, version, routerErr := hit(w.info.LBURL, host)
	if version == "" {
		return fmt.Sprintf("%d %s", status, routerErr)
	}
	return version
}

// getPath sends GET path through the load balancer to the host.
func getPath(base, host, path string) reply {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Host = host
	resp, err := httpc.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return reply{status: resp.StatusCode, body: string(b), header: resp.Header}
}
