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

// logEntry is one envelope of an app's source id (the app guid): a log line, or a timer when
// timer is set (then sourceType, stream and message are empty).
type logEntry struct {
	ts         int64  // Unix ns; unique and increasing within an app, so no envelope hides another
	sourceType string // APP/PROC/WEB, STG, CELL, RTR, API, APP/TASK/<name>
	instance   string // instance index; 0 for staging and tasks; the router's index for RTR
	stream     string // OUT or ERR
	message    string
	tags       map[string]string // shared by the lines of one emit: never modified
	timer      *timerMsg
}

// timerMsg is a TIMER envelope's message: a name and the start and stop of what it timed.
type timerMsg struct {
	name        string
	start, stop int64 // Unix ns
}

// logBuffer keeps an app's most recent envelopes, of every kind together, like Log Cache's
// per-source store.
type logBuffer struct {
	entries []logEntry
	expired int // envelopes dropped to keep the buffer bounded
}

// logsKept bounds each app's buffer; Log Cache keeps far more per source, but the cf CLI
// never reads more than 1000 at a time.
const logsKept = 10000

// buffer is the app's buffer, made on first use. Callers hold s.mu.
func (s *Sim) buffer(appGUID string) *logBuffer {
	buf := s.logs[appGUID]
	if buf == nil {
		buf = &logBuffer{}
		s.logs[appGUID] = buf
	}
	return buf
}

// add appends e, moving its timestamp just after the newest one's when it is not later.
func (b *logBuffer) add(e logEntry) {
	if n := len(b.entries); n > 0 && e.ts <= b.entries[n-1].ts {
		e.ts = b.entries[n-1].ts + 1
	}
	b.entries = append(b.entries, e)
}

// trim drops the oldest envelopes beyond logsKept. It reslices rather than copies, so a busy
// app does not copy its whole buffer per request: appends then move the kept envelopes to a
// new array once the old one's capacity runs out (every few thousand envelopes), and the
// dropped ones go with the old array.
func (b *logBuffer) trim() {
	if over := len(b.entries) - logsKept; over > 0 {
		clear(b.entries[:over]) // let the dropped tags and messages go before the array does
		b.entries = b.entries[over:]
		b.expired += over
	}
}

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
	buf := s.buffer(src.appGUID)
	tags := s.logTags(src)
	for _, l := range lines {
		buf.add(logEntry{ts: time.Now().UnixNano(), sourceType: src.sourceType, instance: src.instance,
			stream: stream, message: l, tags: tags})
		if src.sourceType != "RTR" { // access lines would drown the app's own output
			fmt.Fprintf(s.cfg.Log, "[%s %s/%s] %s\n", shortGUID(src.appGUID), src.sourceType, src.instance, l)
		}
	}
	buf.trim()
}

func shortGUID(g string) string { return g[:min(8, len(g))] }

// logTags are the envelope tags: the app's metric tags as CC gives them to Diego, the
// source's own, and source_type. Callers hold s.mu.
func (s *Sim) logTags(src logSource) map[string]string {
	tags := s.appTags(src.appGUID)
	tags["source_type"] = src.sourceType
	if src.origin != "" {
		tags["origin"] = src.origin
	}
	for k, v := range src.extra {
		tags[k] = v
	}
	return tags
}

// appTags are the app's own metric tags: source_id, app_id, app_name and its space's and
// org's ids and names. Callers hold s.mu.
func (s *Sim) appTags(appGUID string) map[string]string {
	tags := map[string]string{"source_id": appGUID, "app_id": appGUID}
	if a := s.apps[appGUID]; a != nil {
		tags["app_name"] = a.name
		if sp := s.spaces[a.spaceGUID]; sp != nil {
			tags["space_id"], tags["space_name"] = sp.guid, sp.name
			if o := s.orgs[sp.orgGUID]; o != nil {
				tags["organization_id"], tags["organization_name"] = o.guid, o.name
			}
		}
	}
	return tags
}

// RecentLogs returns the app's recent log lines, oldest first (not its timers).
func (s *Sim) RecentLogs(appGUID string) []LogLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := s.logs[appGUID]
	if buf == nil {
		return nil
	}
	lines := make([]LogLine, 0, len(buf.entries))
	for _, e := range buf.entries {
		if e.timer == nil {
			lines = append(lines, LogLine{Time: time.Unix(0, e.ts), Source: e.sourceType + "/" + e.instance,
				Message: e.message, Type: e.stream})
		}
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
