package platform

// Route is an HTTP route and the apps mapped to it.
type Route struct {
	GUID       string
	Host, Path string
	URL        string // host.domain/path, as CC presents it
	DomainGUID string
	Dests      map[string]string // app guid -> destination guid
	Protocols  map[string]string // app guid -> its destination's protocol (http1, http2); may be nil
}

// Hostname is the route's full host name (what goes in the Host header).
func (r Route) Hostname() string {
	h := r.URL
	if r.Path != "" {
		h = h[:len(h)-len(r.Path)]
	}
	return h
}
