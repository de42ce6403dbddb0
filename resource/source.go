// Package resource is the Concourse contract: the request and response types of check, in and
// out, strict decoding, validation with errors that name the field, and the commands as
// functions of (ctx, request, io). Nothing below it reads stdin or knows Concourse's JSON.
package resource

import (
	"crypto/x509"
	"fmt"
	"net/url"
)

// Source is the resource's configuration, shared by check, in and out.
type Source struct {
	API           string   `json:"api"`
	Username      string   `json:"username,omitempty"`
	Password      string   `json:"password,omitempty"`
	ClientID      string   `json:"client_id,omitempty"`
	ClientSecret  string   `json:"client_secret,omitempty"`
	Organization  string   `json:"organization"`
	Space         string   `json:"space"`
	SkipCertCheck bool     `json:"skip_cert_check,omitempty"`
	CACert        string   `json:"ca_cert,omitempty"`
	RouterURLs    []string `json:"router_urls,omitempty"`
	AppName       string   `json:"app_name,omitempty"`
}

// Validate checks every field and names the first wrong one.
func (s Source) Validate() error {
	if err := checkURL("source.api", s.API); err != nil {
		return err
	}
	if err := s.validateCredentials(); err != nil {
		return err
	}
	if s.Organization == "" {
		return fmt.Errorf("source.organization: required")
	}
	if s.Space == "" {
		return fmt.Errorf("source.space: required")
	}
	if s.CACert != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(s.CACert)) {
		return fmt.Errorf("source.ca_cert: not a PEM certificate")
	}
	for i, u := range s.RouterURLs {
		if err := checkURL(fmt.Sprintf("source.router_urls[%d]", i), u); err != nil {
			return err
		}
	}
	return nil
}

func (s Source) validateCredentials() error {
	user := s.Username != "" || s.Password != ""
	client := s.ClientID != "" || s.ClientSecret != ""
	switch {
	case user && client:
		return fmt.Errorf("source: set username and password, or client_id and client_secret, not both")
	case user && s.Username == "":
		return fmt.Errorf("source.username: required with source.password")
	case user && s.Password == "":
		return fmt.Errorf("source.password: required with source.username")
	case client && s.ClientID == "":
		return fmt.Errorf("source.client_id: required with source.client_secret")
	case client && s.ClientSecret == "":
		return fmt.Errorf("source.client_secret: required with source.client_id")
	case !user && !client:
		return fmt.Errorf("source: credentials required: username and password, or client_id and client_secret")
	}
	return nil
}

func checkURL(field, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s: required", field)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an http(s) URL", field, raw)
	}
	return nil
}

// Secrets lists the values that must never appear in output.
func (s Source) Secrets() []string {
	return nonEmpty(s.Password, s.ClientSecret)
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
