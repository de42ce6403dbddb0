// Package maintenance is the maintenance responder: the small app the resource pushes in
// place of an app during a maintenance window. It answers every path and method with a
// retryable status (503 by default), Retry-After, and a body chosen by content negotiation:
// HTML for browsers, JSON for API clients, plain text otherwise.
package maintenance

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// HealthPath answers 200 for the platform's health check; every other path is in maintenance.
const HealthPath = "/__maintenance/health"

// Config is what the responder answers.
type Config struct {
	Status     int    // default 503
	RetryAfter int    // seconds, default 300
	Message    string // default "This service is down for maintenance."
	Page       []byte // a whole HTML page; default: a page built from Message
	JSON       []byte // a whole JSON body; default: {"status","message","retry_after"}
}

func (c Config) withDefaults() Config {
	if c.Status == 0 {
		c.Status = http.StatusServiceUnavailable
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = 300
	}
	if c.Message == "" {
		c.Message = "This service is down for maintenance."
	}
	return c
}

// Handler answers every request as the configuration says.
func Handler(c Config) http.Handler {
	c = c.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == HealthPath {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("ok\n"))
			return
		}
		kind, body := c.body(negotiate(r.Header.Get("Accept")))
		w.Header().Set("Content-Type", kind)
		w.Header().Set("Retry-After", strconv.Itoa(c.RetryAfter))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Maintenance", "on")
		w.WriteHeader(c.Status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}

func (c Config) body(kind string) (string, []byte) {
	switch kind {
	case "application/json":
		if c.JSON != nil {
			return "application/json", c.JSON
		}
		b, _ := json.Marshal(map[string]any{"status": c.Status, "message": c.Message, "retry_after": c.RetryAfter})
		return "application/json", append(b, '\n')
	case "text/html":
		if c.Page != nil {
			return "text/html; charset=utf-8", c.Page
		}
		msg := html.EscapeString(c.Message)
		return "text/html; charset=utf-8", []byte("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Maintenance</title></head>" +
			"<body><h1>" + msg + "</h1><p>Please try again in " + strconv.Itoa(c.RetryAfter/60+1) + " minutes.</p></body></html>\n")
	}
	return "text/plain; charset=utf-8", []byte(fmt.Sprintf("%d %s: %s\n", c.Status, http.StatusText(c.Status), c.Message))
}

// negotiate picks text/html, application/json or text/plain from an Accept header, by q
// value; ties go to the earlier media range. No Accept (or */* alone) means plain text, which
// curl and most API clients without preferences handle best.
func negotiate(accept string) string {
	best, bestQ := "text/plain", 0.0
	for _, part := range strings.Split(accept, ",") {
		media, q := mediaRange(part)
		kind := ""
		switch media {
		case "application/json", "application/*":
			kind = "application/json"
		case "text/html", "application/xhtml+xml":
			kind = "text/html"
		case "text/plain", "text/*":
			kind = "text/plain"
		}
		if kind != "" && q > bestQ {
			best, bestQ = kind, q
		}
	}
	return best
}

func mediaRange(part string) (string, float64) {
	fields := strings.Split(part, ";")
	media := strings.ToLower(strings.TrimSpace(fields[0]))
	q := 1.0
	for _, p := range fields[1:] {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
	}
	return media, q
}
