// Package cf is the one place that talks to the Cloud Controller: a narrow port, over
// go-cfclient, with exactly the operations the deploy engine needs. Every call takes a
// context; waits read again soon, then less often (package poll), until their deadline or the
// context's.
// Transient failures are retried where that is safe, and creates are reconciled with what
// the Cloud Controller holds (retry.go, transport.go).
package cf

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/client"
	"github.com/cloudfoundry/go-cfclient/v3/config"
	"github.com/cloudfoundry/go-cfclient/v3/resource"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/poll"
)

// Config says how to reach and log in to a foundation.
type Config struct {
	API                    string
	Username, Password     string
	ClientID, ClientSecret string
	SkipCertCheck          bool
	CACert                 string // PEM, trusted in addition to the system pool
	UserAgent              string
	Retry                  RetryPolicy   // zero: the defaults
	WaitTimeout            time.Duration // longest wait for a CC job or a package's processing (default 10m)
}

// Client is the Cloud Controller port.
type Client struct {
	cf          *client.Client
	retry       RetryPolicy
	waitTimeout time.Duration

	rootMu sync.Mutex
	root   *resource.RootLinks // the API root's links, read once (external.go)
}

const defaultWaitTimeout = 10 * time.Minute

// Connect discovers the UAA and logs in (eagerly for a password grant).
func Connect(ctx context.Context, c Config) (*Client, error) {
	httpClient, err := HTTPClient(c.SkipCertCheck, c.CACert)
	if err != nil {
		return nil, err
	}
	retry := c.Retry.withDefaults()
	// Under go-cfclient's OAuth transport: API, discovery and token requests all pass here.
	httpClient.Transport = &retryTransport{base: httpClient.Transport, policy: retry}
	opts := []config.Option{config.HttpClient(httpClient), config.RequestTimeout(10 * time.Minute)}
	if c.UserAgent != "" {
		opts = append(opts, config.UserAgent(c.UserAgent))
	}
	if c.SkipCertCheck {
		opts = append(opts, config.SkipTLSValidation())
	}
	if c.ClientID != "" {
		opts = append(opts, config.ClientCredentials(c.ClientID, c.ClientSecret))
	} else {
		opts = append(opts, config.UserPassword(c.Username, c.Password))
	}
	cfg, err := config.New(c.API, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w to %s: %w", platform.ErrLogin, c.API, err)
	}
	cf, err := client.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("log in to %s: %w", c.API, err)
	}
	wait := c.WaitTimeout
	if wait <= 0 {
		wait = defaultWaitTimeout
	}
	return &Client{cf: cf, retry: retry, waitTimeout: wait}, nil
}

// HTTPClient builds the transport for the API and the route probes: the system CAs plus
// caCert, or no verification at all when skip is set.
func HTTPClient(skip bool, caCert string) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caCert != "" && !pool.AppendCertsFromPEM([]byte(caCert)) {
		return nil, errors.New("ca_cert: not a PEM certificate")
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, InsecureSkipVerify: skip} //nolint:gosec // the user asked for it
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t}, nil
}

// wait polls check until it reports done, returns an error, or ctx ends.
func (c *Client) wait(ctx context.Context, what string, check func() (bool, error)) error {
	b := poll.New()
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		if err := b.Wait(ctx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}

// bounded gives a wait its own deadline (the client's wait timeout) within ctx's.
func (c *Client) bounded(ctx context.Context, what string) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, c.waitTimeout, fmt.Errorf("%s: no result after %s", what, c.waitTimeout))
}

// waitJob polls an asynchronous CC job until COMPLETE; FAILED is an error with CC's reasons.
func (c *Client) waitJob(ctx context.Context, what, jobGUID string) error {
	if jobGUID == "" {
		return nil
	}
	ctx, cancel := c.bounded(ctx, what)
	defer cancel()
	return c.wait(ctx, what, func() (bool, error) {
		j, err := c.cf.Jobs.Get(ctx, jobGUID)
		if err != nil {
			return false, fmt.Errorf("%s: %w", what, err)
		}
		switch platform.JobState(j.State) {
		case platform.JobComplete:
			return true, nil
		case platform.JobFailed:
			msg := "job failed"
			if len(j.Errors) > 0 {
				msg = j.Errors[0].Detail
			}
			return false, fmt.Errorf("%s: %s", what, msg)
		}
		return false, nil
	})
}
