package cfsim

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"
)

// LogLine is one line an app, its staging, its cell or a router wrote, as Log Cache keeps it.
type LogLine struct {
	Time    time.Time `json:"time"`
	Source  string    `json:"source"` // source type and instance, e.g. APP/PROC/WEB/0, STG/0, CELL/0, RTR/1
	Message string    `json:"message"`
	Type    string    `json:"type"` // OUT or ERR
}

// logEntry is one log envelope of an app's source id (the app guid).
type logEntry struct {
	ts         int64  // Unix ns; unique and increasing within an app, so no envelope hides another
	sourceType string // APP/PROC/WEB, STG, CELL, RTR, API, APP/TASK/<name>
	instance   string // instance index; 0 for staging and tasks; the router's index for RTR
	stream     string // OUT or ERR
	message    string
	tags       map[string]string // shared by the lines of one emit: never modified
}

// logBuffer keeps an app's most recent envelopes, like Log Cache's per-source store.
type logBuffer struct {
	entries []logEntry
	expired int // envelopes dropped to keep the buffer bounded
}

// logsKept bounds each app's buffer; Log Cache keeps far more per source, but the cf CLI
// never reads more than 1000 at a time.
const logsKept = 10000

// logSource says who writes lines: an app's source type and instance, with the tags that
// identify the process (process_id, process_type, process_instance_id) when there is one.
type logSource struct {
	appGUID    string
	sourceType string
	instance   string
	origin     string
	extra      map[string]string
}

// emit records lines from src on stream (OUT or ERR). Callers hold s.mu.
func (s *Sim) emit(src logSource, stream string, lines ...string) {
	buf := s.logs[src.appGUID]
	if buf == nil {
		buf = &logBuffer{}
		s.logs[src.appGUID] = buf
	}
	tags := s.logTags(src)
	for _, l := range lines {
		ts := time.Now().UnixNano()
		if n := len(buf.entries); n > 0 && ts <= buf.entries[n-1].ts {
			ts = buf.entries[n-1].ts + 1
		}
		buf.entries = append(buf.entries, logEntry{ts: ts, sourceType: src.sourceType, instance: src.instance,
			stream: stream, message: l, tags: tags})
		if src.sourceType != "RTR" { // access lines would drown the app's own output
			fmt.Fprintf(s.cfg.Log, "[%s %s/%s] %s\n", shortGUID(src.appGUID), src.sourceType, src.instance, l)
		}
	}
	if over := len(buf.entries) - logsKept; over > 0 {
		buf.entries = append([]logEntry(nil), buf.entries[over:]...)
		buf.expired += over
	}
}

func shortGUID(g string) string { return g[:min(8, len(g))] }

// logTags are the envelope tags: the app's metric tags as CC gives them to Diego, the
// source's own, and source_type. Callers hold s.mu.
func (s *Sim) logTags(src logSource) map[string]string {
	tags := map[string]string{"source_id": src.appGUID, "app_id": src.appGUID, "source_type": src.sourceType}
	if src.origin != "" {
		tags["origin"] = src.origin
	}
	if a := s.apps[src.appGUID]; a != nil {
		tags["app_name"] = a.name
		if sp := s.spaces[a.spaceGUID]; sp != nil {
			tags["space_id"], tags["space_name"] = sp.guid, sp.name
			if o := s.orgs[sp.orgGUID]; o != nil {
				tags["organization_id"], tags["organization_name"] = o.guid, o.name
			}
		}
	}
	for k, v := range src.extra {
		tags[k] = v
	}
	return tags
}

// RecentLogs returns the app's recent log lines, oldest first.
func (s *Sim) RecentLogs(appGUID string) []LogLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := s.logs[appGUID]
	if buf == nil {
		return nil
	}
	lines := make([]LogLine, len(buf.entries))
	for i, e := range buf.entries {
		lines[i] = LogLine{Time: time.Unix(0, e.ts), Source: e.sourceType + "/" + e.instance, Message: e.message, Type: e.stream}
	}
	return lines
}

// lineWriter splits a process's stdout or stderr into log lines.
type lineWriter struct {
	mu      sync.Mutex
	s       *Sim
	src     logSource
	stream  string
	partial bytes.Buffer
}

func (s *Sim) logWriter(src logSource, stream string) *lineWriter {
	return &lineWriter{s: s, src: src, stream: stream}
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial.Write(b)
	for {
		line, err := w.partial.ReadString('\n')
		if err != nil {
			w.partial.WriteString(line)
			return len(b), nil
		}
		w.s.mu.Lock()
		w.s.emit(w.src, w.stream, strings.TrimRight(line, "\r\n"))
		w.s.mu.Unlock()
	}
}
