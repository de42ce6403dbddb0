package cf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// retryTransport sits under go-cfclient's OAuth transport, so it sees every request (token
// requests and discovery included) with its final token. It retries transient failures of
// requests that are safe to repeat, and turns every transient failure it gives up on into a
// *TransientError, so the operations above can tell "maybe done" from "refused".
type retryTransport struct {
	base   http.RoundTripper
	policy RetryPolicy
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p := t.policy.withDefaults()
	repeatable := safeToRepeat(req) && rewindable(req)
	for attempt := 1; ; attempt++ {
		r, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(r)
		fail := transient(req, resp, err)
		if fail == nil {
			return resp, err
		}
		fail.Attempts = attempt
		// A request that never reached the server may be sent again whatever it is.
		again := repeatable || (neverSent(err) && rewindable(req))
		if !again || attempt >= p.Attempts {
			return nil, fail
		}
		wait := max(p.Backoff(attempt), retryAfter(resp))
		if err := poll.Sleep(req.Context(), wait); err != nil {
			return nil, errors.Join(fail, err)
		}
	}
}

// rewind gives the request for a try: the original first, then a copy with a fresh body.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 {
		return req, nil
	}
	r := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

func safeToRepeat(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	case http.MethodPost:
		return safePOST(req.URL.Path)
	}
	return false
}

// safePOST are the POSTs whose repetition changes nothing more than the first one did: app
// start and stop, applying a manifest, mapping a route (CC keeps one destination per app and
// process), scaling a process (to absolute sizes), cancelling a deployment, asking which files
// CC holds, asking UAA for a token, and adding network policies (the policy server creates only
// the ones that do not exist).
func safePOST(path string) bool {
	if path == "/oauth/token" || path == "/v3/resource_matches" || strings.HasSuffix(path, "/networking/v1/external/policies") {
		return true
	}
	s := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(s) == 4 && s[0] == "v3" && s[1] == "routes" && s[3] == "destinations":
		return true
	case len(s) != 5 || s[0] != "v3" || s[3] != "actions":
		return false
	}
	switch s[1] + "/" + s[4] {
	case "apps/start", "apps/stop", "spaces/apply_manifest", "deployments/cancel", "processes/scale":
		return true
	}
	return false
}

func rewindable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// transient classifies a try: nil for an answer to pass on (success, or a refusal such as
// 404, 422 or 501 that trying again would not change), else the transient failure. The response
// body of a failure is consumed and closed.
func transient(req *http.Request, resp *http.Response, err error) *TransientError {
	if err != nil {
		var source *sourceError
		if req.Context().Err() != nil || badCertificate(err) || errors.As(err, &source) {
			return nil // our own deadline, a certificate or bits that will not get better
		}
		return &TransientError{Method: req.Method, Path: req.URL.Path, Err: err}
	}
	if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests || resp.StatusCode == http.StatusNotImplemented {
		return nil // 501: the server does not do this at all (Log Cache with PromQL off)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return &TransientError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Detail: ccDetail(body)}
}

// ccDetail reads CC's {"errors":[{"title","detail"}]}, or the policy server's and Log Cache's
// messages; other bodies (a router's HTML page) are left out.
func ccDetail(body []byte) string {
	var e struct {
		Errors []struct{ Title, Detail string } `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return bodyMessage(body)
	}
	return strings.TrimSpace(e.Errors[0].Title + ": " + e.Errors[0].Detail)
}

func badCertificate(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// neverSent reports a failure to connect: the server cannot have seen the request.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// retryAfter reads a 429's or 503's Retry-After in seconds, capped.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs <= 0 {
		return 0
	}
	return min(time.Duration(secs)*time.Second, maxRetryAfter)
}
