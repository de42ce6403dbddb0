package cfsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// readQuery is a parsed GET /api/v1/read request.
type readQuery struct {
	start, end int64 // [start, end) in Unix ns
	limit      int
	descending bool
	logs       bool // LOG envelopes wanted
	timers     bool // TIMER envelopes wanted (the two kinds the simulator keeps)
}

// gatewayError is grpc-gateway's error body: code 3 (InvalidArgument) for a parameter it
// cannot parse, code 2 (Unknown) for the reader's own refusals, which it answers with 500.
type gatewayError struct {
	status  int
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details"`
}

func badParam(field string, err error) *gatewayError {
	return &gatewayError{status: http.StatusBadRequest, Code: 3, Details: []any{},
		Message: fmt.Sprintf("parsing field %q: %v", field, err)}
}

func readerError(format string, args ...any) *gatewayError {
	return &gatewayError{status: http.StatusInternalServerError, Code: 2, Details: []any{},
		Message: fmt.Sprintf(format, args...)}
}

// parseReadQuery applies Log Cache's defaults and checks: end defaults to now, limit to 100
// and at most 1000, start must not be after end.
func parseReadQuery(q url.Values) (readQuery, *gatewayError) {
	rq := readQuery{logs: true, timers: true}
	var limit int64
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"start_time", &rq.start}, {"end_time", &rq.end}, {"limit", &limit}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return rq, badParam(p.name, err)
			}
			*p.dst = n
		}
	}
	if v := q.Get("descending"); v != "" {
		d, err := strconv.ParseBool(v)
		if err != nil {
			return rq, badParam("descending", err)
		}
		rq.descending = d
	}
	if types := q["envelope_types"]; len(types) > 0 {
		if err := rq.setTypes(types); err != nil {
			return rq, err
		}
	}
	return rq, rq.check(limit)
}

// setTypes keeps the envelope kinds asked for, by name or by logcache_v1.EnvelopeType number.
func (rq *readQuery) setTypes(types []string) *gatewayError {
	rq.logs, rq.timers = false, false
	for _, t := range types {
		switch t {
		case "ANY", "0":
			rq.logs, rq.timers = true, true
		case "LOG", "1":
			rq.logs = true
		case "TIMER", "4":
			rq.timers = true
		case "COUNTER", "GAUGE", "EVENT", "2", "3", "5":
		default:
			return badParam("envelope_types", fmt.Errorf("%q is not a valid value", t))
		}
	}
	return nil
}

func (rq *readQuery) check(limit int64) *gatewayError {
	if rq.end != 0 && rq.start > rq.end {
		return readerError("StartTime (%d) must be before EndTime (%d)", rq.start, rq.end)
	}
	if limit > 1000 {
		return readerError("Limit (%d) must be 1000 or less", limit)
	}
	if limit < 0 {
		return readerError("Limit (%d) must be greater than zero", limit)
	}
	if rq.end == 0 {
		rq.end = time.Now().UnixNano()
	}
	rq.limit = int(limit)
	if rq.limit == 0 {
		rq.limit = 100
	}
	return nil
}

// selectEntries returns at most limit entries with start <= ts < end: the oldest ones in
// ascending order, or the newest ones newest first.
func (rq readQuery) selectEntries(entries []logEntry) []logEntry {
	out := []logEntry{}
	in := func(e logEntry) bool {
		wanted := (e.timer == nil && rq.logs) || (e.timer != nil && rq.timers)
		return wanted && e.ts >= rq.start && e.ts < rq.end
	}
	if rq.descending {
		for i := len(entries) - 1; i >= 0 && len(out) < rq.limit; i-- {
			if in(entries[i]) {
				out = append(out, entries[i])
			}
		}
		return out
	}
	for _, e := range entries {
		if len(out) == rq.limit {
			break
		}
		if in(e) {
			out = append(out, e)
		}
	}
	return out
}

// envelope is a loggregator v2 envelope in the gateway's protojson (proto field names,
// unpopulated fields emitted, int64 as a string, bytes as base64). Its message is a log or a
// timer: protojson writes only the member of the oneof that is set.
type envelope struct {
	Timestamp      string            `json:"timestamp"`
	SourceID       string            `json:"source_id"`
	InstanceID     string            `json:"instance_id"`
	DeprecatedTags map[string]any    `json:"deprecated_tags"`
	Tags           map[string]string `json:"tags"`
	Log            *envelopeLog      `json:"log,omitempty"`
	Timer          *envelopeTimer    `json:"timer,omitempty"`
}

type envelopeLog struct {
	Payload []byte `json:"payload"`
	Type    string `json:"type"`
}

type envelopeTimer struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	Stop  string `json:"stop"`
}

func toEnvelope(sourceID string, e logEntry) envelope {
	env := envelope{Timestamp: strconv.FormatInt(e.ts, 10), SourceID: sourceID, InstanceID: e.instance,
		DeprecatedTags: map[string]any{}, Tags: e.tags}
	if e.timer != nil {
		env.Timer = &envelopeTimer{Name: e.timer.name, Start: strconv.FormatInt(e.timer.start, 10),
			Stop: strconv.FormatInt(e.timer.stop, 10)}
	} else {
		env.Log = &envelopeLog{Payload: []byte(e.message), Type: e.stream}
	}
	return env
}

func (s *Sim) readLogCache(w http.ResponseWriter, r *http.Request) {
	rq, gerr := parseReadQuery(r.URL.Query())
	if gerr != nil {
		writeLogCacheJSON(w, gerr.status, gerr)
		return
	}
	id := r.PathValue("source_id")
	s.mu.Lock()
	var picked []logEntry
	if buf := s.logs[id]; buf != nil {
		picked = rq.selectEntries(buf.entries)
	}
	s.mu.Unlock()
	batch := make([]envelope, len(picked))
	for i, e := range picked {
		batch[i] = toEnvelope(id, e)
	}
	writeLogCacheJSON(w, http.StatusOK, map[string]any{"envelopes": map[string]any{"batch": batch}})
}
