package cf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// The policy server and Log Cache are not the Cloud Controller: go-cfclient does not cover them,
// and they live at URLs only the API root names (docs/platform/cloud-controller.md, "The root
// endpoint"). They take the same UAA token, so they are called with go-cfclient's authenticated
// HTTP client, whose transport renews the token and, below it, retries transient failures.

// maxExternalBody bounds what is read of a policy server or Log Cache answer (1000 envelopes of
// a chatty app stay well under it).
const maxExternalBody = 64 << 20

// rootLink reads one of the API root's links, reading the root once per client.
func (c *Client) rootLink(ctx context.Context, name string, pick func(resource.RootLinks) resource.Link) (string, error) {
	c.rootMu.Lock()
	defer c.rootMu.Unlock()
	if c.root == nil {
		r, err := c.cf.Root.Get(ctx)
		if err != nil {
			return "", fmt.Errorf("read the API root for its %s link: %w", name, err)
		}
		c.root = &r.Links
	}
	href := pick(*c.root).Href
	if href == "" {
		return "", fmt.Errorf("the API root has no %s link: this foundation does not offer it", name)
	}
	return strings.TrimSuffix(href, "/"), nil
}

// StatusError is a non-2xx answer of the policy server or Log Cache.
type StatusError struct {
	Method, URL string
	Status      int
	Message     string // the body's "error" or "message", when it has one
}

func (e *StatusError) Error() string {
	msg := ""
	if e.Message != "" {
		msg = ": " + e.Message
	}
	return fmt.Sprintf("%s %s: answered %d%s", e.Method, e.URL, e.Status, msg)
}

// exchange sends in (nil: no body) as JSON with the client's UAA token and decodes a 2xx JSON
// answer into out (nil: ignored). Any other answer is a *StatusError.
func (c *Client) exchange(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode the request: %w", method, url, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cf.UserAgent())
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.cf.HTTPAuthClient().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxExternalBody))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Method: method, URL: url, Status: resp.StatusCode, Message: bodyMessage(raw)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode the answer: %w", method, url, err)
	}
	return nil
}

// bodyMessage reads the policy server's {"error":...} or grpc-gateway's {"message":...}.
func bodyMessage(raw []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	if e.Error != "" {
		return e.Error
	}
	return e.Message
}
