package cf

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
)

// Log Cache serves at most 1000 envelopes per read (docs/platform/logs-and-metrics.md).
const maxLogCacheLimit = 1000

// envelopeBatch is Log Cache's read answer in protojson: int64 timestamps as strings, bytes
// (the payload) as base64, which encoding/json decodes into a []byte.
type envelopeBatch struct {
	Envelopes struct {
		Batch []envelope `json:"batch"`
	} `json:"envelopes"`
}

type envelope struct {
	Timestamp  nanos             `json:"timestamp"`
	InstanceID string            `json:"instance_id"`
	Tags       map[string]string `json:"tags"`
	Log        *struct {
		Payload []byte `json:"payload"`
		Type    string `json:"type"` // OUT (the zero value, still written) or ERR
	} `json:"log"`
}

// nanos is a Unix time in nanoseconds, written as a JSON string (or, leniently, a number).
type nanos int64

func (n *nanos) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %s: %w", b, err)
	}
	*n = nanos(v)
	return nil
}

// RecentLogs reads the app's newest log lines from Log Cache (the root's log_cache link,
// GET /api/v1/read/<app>?envelope_types=LOG&descending=true&limit=N, with the UAA token) and
// returns them oldest first; limit is capped at Log Cache's 1000. Log Cache answers 404 both for
// a source it does not know and for a caller it will not serve, so a 404 is an app without
// lines: an empty list, not an error.
func (c *Client) RecentLogs(ctx context.Context, appGUID string, limit int) ([]platform.LogLine, error) {
	if limit <= 0 {
		return []platform.LogLine{}, nil
	}
	base, err := c.rootLink(ctx, "log_cache", func(l resource.RootLinks) resource.Link { return l.LogCache })
	if err != nil {
		return nil, fmt.Errorf("read recent logs of app %s: %w", appGUID, err)
	}
	q := url.Values{"envelope_types": {"LOG"}, "descending": {"true"}, "limit": {strconv.Itoa(min(limit, maxLogCacheLimit))}}
	var batch envelopeBatch
	err = c.exchange(ctx, http.MethodGet, base+"/api/v1/read/"+url.PathEscape(appGUID)+"?"+q.Encode(), nil, &batch)
	var status *StatusError
	if errors.As(err, &status) && status.Status == http.StatusNotFound {
		return []platform.LogLine{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recent logs of app %s: %w", appGUID, err)
	}
	out := make([]platform.LogLine, 0, len(batch.Envelopes.Batch))
	for _, e := range batch.Envelopes.Batch {
		if e.Log != nil {
			out = append(out, toLogLine(e))
		}
	}
	slices.Reverse(out) // newest first from Log Cache
	return out, nil
}

// toLogLine maps a LOG envelope. Its instance id is an app instance's index only for the app's
// own sources (APP/..., CELL, HEALTH, PROXY...): for staging, CC, the routers and loggregator it
// is the index of a staging task or a VM, so it is left out.
func toLogLine(e envelope) platform.LogLine {
	source := e.Tags["source_type"]
	line := platform.LogLine{Time: time.Unix(0, int64(e.Timestamp)), Source: source, Index: e.InstanceID,
		Stderr: e.Log.Type == "ERR", Message: strings.TrimRight(string(e.Log.Payload), "\r\n")}
	switch source {
	case "STG", "API", "RTR", "LGR":
		line.Index = ""
	}
	return line
}
