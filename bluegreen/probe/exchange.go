package probe

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
)

// bodyLimit bounds what is read of a body: enough for a marker or a check's text, small enough
// that a large page costs little. Up to as much again is drained so the connection can be reused.
const bodyLimit = 64 << 10

// request is one request through a base.
type request struct {
	method string
	base   *url.URL
	host   string // the route's host, sent as Host: the router routes on it
	path   string // path, optionally with "?query"
	header http.Header
}

// reply is what a request got back, the body cut at bodyLimit.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// exchange sends rq with its own timeout, derived from ctx so the call's deadline still
// applies, and reads the bounded body.
func (pl plan) exchange(ctx context.Context, rq request) (reply, error) {
	ctx, cancel := context.WithTimeout(ctx, pl.probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, rq.method, rq.url(), nil)
	if err != nil {
		return reply{}, fmt.Errorf("build request: %w", err)
	}
	req.Host = rq.host
	maps.Copy(req.Header, rq.header)
	req.Close = pl.fresh
	resp, err := pl.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	if err != nil {
		return reply{}, fmt.Errorf("read body: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, bodyLimit))
	return reply{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// url joins the base (and any path prefix it has) with the request path.
func (rq request) url() string {
	u := *rq.base
	path, query, _ := strings.Cut(rq.path, "?")
	u.Path = strings.TrimSuffix(rq.base.Path, "/") + path
	u.RawPath = ""
	u.RawQuery = query
	return u.String()
}
