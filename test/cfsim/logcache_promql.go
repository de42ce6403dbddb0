package cfsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Log Cache's PromQL endpoints, GET /api/v1/query and /api/v1/query_range, as the cf-auth-proxy,
// the gateway and the engine answer them together (docs/platform/logs-and-metrics.md#promql;
// log-cache-release src/internal/auth/cf_auth_middleware.go, src/internal/gateway/gateway.go,
// src/internal/promql/promql.go and parsing.go, src/pkg/marshaler/marshaler.go).

// maxSteps bounds a range query's points per series, as Prometheus' HTTP API does (Log Cache's
// engine has no such bound; the simulator keeps its loops short).
const maxSteps = 11000

// promqlBody is the answer of both endpoints: data on success, errorType and error otherwise.
type promqlBody struct {
	Status    string      `json:"status"`
	Data      *promqlData `json:"data,omitempty"`
	ErrorType string      `json:"errorType,omitempty"`
	Error     string      `json:"error,omitempty"`
}

type promqlData struct {
	ResultType string `json:"resultType"`
	Result     any    `json:"result"`
}

func writePromQLError(w http.ResponseWriter, status int, errorType, msg string) {
	writeLogCacheJSON(w, status, promqlBody{Status: "error", ErrorType: errorType, Error: msg})
}

// promqlHandler checks the request as the auth proxy does (no Authorization header: 404; a
// query that does not parse: 400; no source id in it: 400; a bad token: 404), expands app
// names into the GUIDs of the apps of that name (404 unless every source id leaves at least
// one the caller may read), then evaluates; the engine's errors are 500 "internal".
func (s *Sim) promqlHandler(rangeQuery bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if header == "" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		q := r.URL.Query()
		expr, err := parsePromQL(q.Get("query"))
		if err != nil {
			writePromQLError(w, http.StatusBadRequest, "bad_data", err.Error())
			return
		}
		ids := sourceIDsOf(expr)
		if len(ids) == 0 {
			writePromQLError(w, http.StatusBadRequest, "bad_data", "query does not request any source_ids")
			return
		}
		scheme, token, _ := strings.Cut(header, " ")
		expanded, ok := s.expandSourceIDs(ids)
		if !strings.EqualFold(scheme, "bearer") || !s.uaa.valid(token) || !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		walkSelectors(expr, func(sel *pqSelector) { sel.sourceIDs = expandAll(sel.sourceIDs, expanded) })
		s.answerPromQL(w, expr, q, rangeQuery)
	}
}

func (s *Sim) answerPromQL(w http.ResponseWriter, expr pqExpr, q url.Values, rangeQuery bool) {
	var data promqlData
	var err error
	if rangeQuery {
		data, err = s.rangeQuery(expr, q)
	} else {
		data, err = s.instantQuery(expr, q)
	}
	var refused *promqlError
	switch {
	case errors.As(err, &refused):
		writePromQLError(w, http.StatusBadRequest, "bad_data", err.Error())
	case err != nil:
		writePromQLError(w, http.StatusInternalServerError, "internal", err.Error())
	default:
		writeLogCacheJSON(w, http.StatusOK, promqlBody{Status: "success", Data: &data})
	}
}

// walkSelectors calls f on every selector of e.
func walkSelectors(e pqExpr, f func(*pqSelector)) {
	switch e := e.(type) {
	case *pqSelector:
		f(e)
	case *pqCall:
		f(e.arg)
	case *pqAggregate:
		walkSelectors(e.param, f)
		walkSelectors(e.arg, f)
	case *pqBinary:
		walkSelectors(e.lhs, f)
		walkSelectors(e.rhs, f)
	}
}

// sourceIDsOf lists the source ids the query's selectors name, without repeats.
func sourceIDsOf(e pqExpr) []string {
	seen := map[string]bool{}
	var ids []string
	walkSelectors(e, func(sel *pqSelector) {
		for _, id := range sel.sourceIDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	})
	return ids
}

// expandSourceIDs maps each source id to the GUIDs of the apps of that name and to itself,
// keeping those the caller may read: every app, for the simulator's tokens. It fails when a
// source id keeps none, as the proxy does (capi_client.go GetRelatedSourceIds).
func (s *Sim) expandSourceIDs(ids []string) (map[string][]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for _, id := range ids {
		var set []string
		for _, a := range s.apps {
			if a.name == id {
				set = append(set, a.guid)
			}
		}
		sort.Strings(set)
		if _, ok := s.apps[id]; ok {
			set = append(set, id)
		}
		if len(set) == 0 {
			return nil, false
		}
		out[id] = set
	}
	return out, true
}

func expandAll(ids []string, expanded map[string][]string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, expanded[id]...)
	}
	return out
}

// instantQuery evaluates at time (Unix seconds or RFC3339), by default now truncated to the second.
func (s *Sim) instantQuery(expr pqExpr, q url.Values) (promqlData, error) {
	at := time.Now().Truncate(time.Second)
	if v := q.Get("time"); v != "" {
		var err error
		if at, err = parseLogCacheTime(v); err != nil {
			return promqlData{}, err
		}
	}
	t := at.UnixMilli()
	ev := &pqEval{read: s.readMetrics, readEnd: t}
	v, err := ev.eval(expr, t)
	if err != nil {
		return promqlData{}, err
	}
	switch v.kind {
	case "scalar":
		return promqlData{ResultType: "scalar", Result: pointJSON(t, v.scalar)}, nil
	case "matrix":
		return promqlData{ResultType: "matrix", Result: matrixJSON(v.matrix)}, nil
	}
	samples := make([]sampleJSON, 0, len(v.vector))
	for _, smp := range v.vector {
		samples = append(samples, sampleJSON{Metric: smp.labels, Value: pointJSON(smp.t, smp.v)})
	}
	return promqlData{ResultType: "vector", Result: samples}, nil
}

// rangeQuery evaluates at start, start+step, ... up to end, and answers the series as a matrix.
func (s *Sim) rangeQuery(expr pqExpr, q url.Values) (promqlData, error) {
	start, end, step, err := rangeParams(q)
	if err != nil {
		return promqlData{}, err
	}
	if kind := typeName(expr); kind == "range vector" {
		return promqlData{}, fmt.Errorf("invalid expression type %q for range query, must be Scalar or instant Vector", kind)
	}
	if step.Milliseconds() <= 0 {
		return promqlData{}, errors.New("zero or negative query resolution step widths are not accepted. Try a positive integer")
	}
	if end.Sub(start)/step > maxSteps {
		return promqlData{}, &promqlError{msg: "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}
	}
	ev := &pqEval{read: s.readMetrics, readEnd: end.UnixMilli()}
	series := map[string]*pqSeries{}
	for t := start.UnixMilli(); t <= end.UnixMilli(); t += step.Milliseconds() {
		v, err := ev.eval(expr, t)
		if err != nil {
			return promqlData{}, err
		}
		if v.kind == "scalar" {
			v.vector = []pqSample{{labels: map[string]string{}, t: t, v: v.scalar}}
		}
		for _, smp := range v.vector {
			key := labelKey(smp.labels)
			if series[key] == nil {
				series[key] = &pqSeries{labels: smp.labels}
			}
			series[key].points = append(series[key].points, pqPoint{t: smp.t, v: smp.v})
		}
	}
	out := make([]pqSeries, 0, len(series))
	for _, key := range sortedKeys(series) {
		out = append(out, *series[key])
	}
	return promqlData{ResultType: "matrix", Result: matrixJSON(out)}, nil
}

func rangeParams(q url.Values) (start, end time.Time, step time.Duration, err error) {
	if step, err = parseLogCacheStep(q.Get("step")); err != nil {
		return start, end, step, fmt.Errorf("couldn't parse step: %w", err)
	}
	if start, err = parseLogCacheTime(q.Get("start")); err != nil {
		return start, end, step, fmt.Errorf("couldn't parse start: %w", err)
	}
	if end, err = parseLogCacheTime(q.Get("end")); err != nil {
		return start, end, step, fmt.Errorf("couldn't parse end: %w", err)
	}
	return start, end, step, nil
}

// parseLogCacheTime reads Unix seconds with decimals or RFC3339 (parsing.go ParseTime).
func parseLogCacheTime(v string) (time.Time, error) {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Unix(0, int64(secs*1e9)), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Unix(0, 0), fmt.Errorf("cannot parse %q to a valid Unix or RFC3339 timestamp", v)
}

// parseLogCacheStep reads seconds (15, 0.5) or a Prometheus duration (15s, 1m) (parsing.go ParseStep).
func parseLogCacheStep(v string) (time.Duration, error) {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if ns := secs * float64(time.Second); ns > math.MaxInt64 || ns < math.MinInt64 {
			return 0, fmt.Errorf("cannot parse %q to a valid step. It overflows int64", v)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	if d, err := parsePromDuration(v); err == nil {
		return d, nil
	}
	return 0, fmt.Errorf("cannot parse %q to a valid step", v)
}

// readMetrics is Log Cache's read of a source's TIMER envelopes with from <= ts < to, as samples:
// the sanitized timer name, stop-start in ns, the tags with source_id and instance_id.
func (s *Sim) readMetrics(sourceID string, from, to int64) []pqRaw {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := s.logs[sourceID]
	if buf == nil {
		return nil
	}
	var out []pqRaw
	first := sort.Search(len(buf.entries), func(i int) bool { return buf.entries[i].ts >= from })
	for _, e := range buf.entries[first:] {
		if e.ts >= to {
			break
		}
		if e.timer != nil {
			out = append(out, pqRaw{name: sanitizeMetricName(e.timer.name), value: float64(e.timer.stop - e.timer.start),
				labels: sampleLabels(e.tags, sourceID, e.instance), ts: e.ts})
		}
	}
	return out
}

// sampleLabels are the tags with source_id and instance_id (when set) of the envelope; the
// tags are shared, so they are copied only when those differ.
func sampleLabels(tags map[string]string, sourceID, instance string) map[string]string {
	if tags["source_id"] == sourceID && (instance == "" || tags["instance_id"] == instance) {
		return tags
	}
	out := make(map[string]string, len(tags)+2)
	for k, v := range tags {
		out[k] = v
	}
	out["source_id"] = sourceID
	if instance != "" {
		out["instance_id"] = instance
	}
	return out
}

// sanitizeMetricName turns every character outside [A-Za-z0-9_], and a leading digit, into _.
func sanitizeMetricName(name string) string {
	b := []byte(name)
	for i, c := range b {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

type sampleJSON struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
}

type seriesJSON struct {
	Metric map[string]string `json:"metric"`
	Values [][]any           `json:"values"`
}

// pointJSON is [seconds with 3 decimals as a JSON number, the value as a string].
func pointJSON(t int64, v float64) []any {
	return []any{json.RawMessage(fmt.Sprintf("%.3f", float64(t)/1000)), strconv.FormatFloat(v, 'f', -1, 64)}
}

func matrixJSON(series []pqSeries) []seriesJSON {
	out := make([]seriesJSON, 0, len(series))
	for _, s := range series {
		values := make([][]any, 0, len(s.points))
		for _, p := range s.points {
			values = append(values, pointJSON(p.t, p.v))
		}
		out = append(out, seriesJSON{Metric: s.labels, Values: values})
	}
	return out
}
