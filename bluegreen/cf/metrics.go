package cf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

// RequestStats reads what the routers measured of an app's requests (or one process's) over a
// window, from Log Cache's PromQL over gorouter's http timers (docs/platform/logs-and-metrics.md):
// one instant query for the requests by status code, and, when there were any, one for the
// latency percentile. Every request is a series of its own (request_id is a label), so both
// aggregate: sum by (status_code) of each series' count, and quantile over each series' maximum.
// The window is widened to the whole second its start falls in, as Log Cache truncates
// timestamps to the second: a request of that second before Start may count, none after it is
// lost. Log Cache answers 404 for an app that does not exist and for a user who may not read
// it; either way there are no figures to decide on, so that is an error, not zero requests.
func (c *Client) RequestStats(ctx context.Context, q platform.MetricsQuery) (platform.RequestStats, error) {
	if err := q.Check(); err != nil {
		return platform.RequestStats{}, err
	}
	base, err := c.rootLink(ctx, "log_cache", func(l resource.RootLinks) resource.Link { return l.LogCache })
	if err != nil {
		return platform.RequestStats{}, fmt.Errorf("read the request metrics of app %s: %w", q.AppGUID, err)
	}
	at, rng := promqlWindow(q.Start, q.End)
	series := httpSeries(q.AppGUID, q.ProcessGUID) + "[" + rng + "]"
	var stats platform.RequestStats
	byStatus, err := c.promqlVector(ctx, base, "sum by (status_code) (count_over_time("+series+"))", at)
	if err != nil {
		return stats, metricsError(q, "requests", err)
	}
	for _, s := range byStatus {
		stats.Requests += int(s.value)
		if code, err := strconv.Atoi(s.metric["status_code"]); err == nil && code >= 500 && code <= 599 {
			stats.ServerErrors += int(s.value)
		}
	}
	if stats.Requests == 0 {
		return stats, nil
	}
	phi := strconv.FormatFloat(q.Percentile/100, 'f', -1, 64)
	latency, err := c.promqlVector(ctx, base, "quantile("+phi+", max_over_time("+series+"))", at)
	if err != nil {
		return stats, metricsError(q, "latency", err)
	}
	if len(latency) > 0 {
		stats.Latency = time.Duration(math.Round(latency[0].value)) // timers are in ns
	}
	return stats, nil
}

// promqlWindow is the time to evaluate at and the range to look back over so that Log Cache
// counts every request of [start, end]. Log Cache reads time as float seconds and works in
// milliseconds, so the time is end rounded up to the millisecond plus one (never before end).
// It truncates every timestamp to the second and keeps those within the range before the time,
// so the range reaches back to start's whole second: whole seconds, at least one. The time is
// kept off whole seconds, so that neither end of the range falls on a second: whether the
// engine's range includes its lower end (Prometheus 2) or not (Prometheus 3) then does not
// matter.
func promqlWindow(start, end time.Time) (at, rng string) {
	t := end.Truncate(time.Millisecond).Add(2 * time.Millisecond)
	if t.Nanosecond() == 0 {
		t = t.Add(time.Millisecond)
	}
	secs := int64(math.Ceil(t.Sub(start.Truncate(time.Second)).Seconds()))
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64), strconv.FormatInt(max(secs, 1), 10) + "s"
}

// httpSeries selects the app's http timers, or one process's (label values are compared as
// exact strings, which is what Log Cache does with any matcher but source_id).
func httpSeries(appGUID, processGUID string) string {
	sel := "http{source_id=" + strconv.Quote(appGUID)
	if processGUID != "" {
		sel += ",process_id=" + strconv.Quote(processGUID)
	}
	return sel + "}"
}

// metricsError says which figure could not be read, and what a 404 or a 501 means.
func metricsError(q platform.MetricsQuery, what string, err error) error {
	switch answered(err) {
	case http.StatusNotFound:
		return fmt.Errorf("read the %s of app %s from Log Cache: it serves this user no metrics of the app "+
			"(the app does not exist, or the user may not read its logs and metrics): %w", what, q.AppGUID, err)
	case http.StatusNotImplemented:
		return fmt.Errorf("read the %s of app %s from Log Cache: this foundation's Log Cache has its PromQL "+
			"endpoints turned off: %w", what, q.AppGUID, err)
	}
	return fmt.Errorf("read the %s of app %s from Log Cache: %w", what, q.AppGUID, err)
}

// answered is the HTTP status of a failed exchange: a *StatusError's, or, for a 5xx the
// transport gave up retrying, its *TransientError's; 0 when none came.
func answered(err error) int {
	var status *StatusError
	var transient *TransientError
	switch {
	case errors.As(err, &status):
		return status.Status
	case errors.As(err, &transient):
		return transient.Status
	}
	return 0
}

// promqlSample is one sample of an instant vector.
type promqlSample struct {
	metric map[string]string
	value  float64
}

// promqlVector runs an instant query (GET /api/v1/query with the UAA token) and returns its
// vector: timestamps are JSON numbers and values strings in Log Cache's answers.
func (c *Client) promqlVector(ctx context.Context, base, query, at string) ([]promqlSample, error) {
	var answer struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  []json.RawMessage `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	u := base + "/api/v1/query?" + url.Values{"query": {query}, "time": {at}}.Encode()
	if err := c.exchange(ctx, http.MethodGet, u, nil, &answer); err != nil {
		return nil, err
	}
	if answer.Status != "success" || answer.Data.ResultType != "vector" {
		return nil, fmt.Errorf("GET %s: answered %q with a %q result, not a vector", u, answer.Status, answer.Data.ResultType)
	}
	out := make([]promqlSample, 0, len(answer.Data.Result))
	for _, s := range answer.Data.Result {
		var text string
		if len(s.Value) != 2 || json.Unmarshal(s.Value[1], &text) != nil {
			raw, _ := json.Marshal(s.Value)
			return nil, fmt.Errorf("GET %s: a sample's value %s is not [time, \"number\"]", u, raw)
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("GET %s: a sample's value %q is not a number", u, text)
		}
		out = append(out, promqlSample{metric: s.Metric, value: v})
	}
	return out, nil
}
