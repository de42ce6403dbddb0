package cfsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// LogLine is one line an app, its staging or its cell wrote, as log-cache would keep it.
type LogLine struct {
	Time    time.Time `json:"time"`
	Source  string    `json:"source"` // e.g. APP/PROC/WEB/0, STG, CELL
	Message string    `json:"message"`
}

// logBuffer keeps an app's most recent lines, like log-cache's per-source ring.
type logBuffer struct{ lines []LogLine }

const logsKept = 1000

// appLog records lines for an app; it takes s.mu itself.
func (s *Sim) appLog(appGUID, source string, index int, lines ...string) {
	if source == "CELL" || source == "STG" {
		source = fmt.Sprintf("%s/%d", source, index)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appendLog(appGUID, source, lines...)
}

// appendLog is appLog for callers that hold s.mu.
func (s *Sim) appendLog(appGUID, source string, lines ...string) {
	buf := s.logs[appGUID]
	if buf == nil {
		buf = &logBuffer{}
		s.logs[appGUID] = buf
	}
	for _, l := range lines {
		buf.lines = append(buf.lines, LogLine{Time: time.Now(), Source: source, Message: l})
		fmt.Fprintf(s.cfg.Log, "[%s %s] %s\n", appGUID[:8], source, l)
	}
	if over := len(buf.lines) - logsKept; over > 0 {
		buf.lines = append([]LogLine(nil), buf.lines[over:]...)
	}
}

// RecentLogs returns the app's recent log lines, oldest first.
func (s *Sim) RecentLogs(appGUID string) []LogLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	if buf := s.logs[appGUID]; buf != nil {
		return append([]LogLine(nil), buf.lines...)
	}
	return nil
}

// lineWriter splits a process's output into log lines.
type lineWriter struct {
	mu      sync.Mutex
	s       *Sim
	appGUID string
	source  string
	partial bytes.Buffer
}

func (s *Sim) logWriter(appGUID, source string) *lineWriter {
	return &lineWriter{s: s, appGUID: appGUID, source: source}
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
		w.s.appendLog(w.appGUID, w.source, strings.TrimRight(line, "\r\n"))
		w.s.mu.Unlock()
	}
}

// vcapApplication is the VCAP_APPLICATION an instance sees. Callers hold s.mu.
func (s *Sim) vcapApplication(a *app, p *process) map[string]any {
	sp := s.spaces[a.spaceGUID]
	o := s.orgs[sp.orgGUID]
	uris := s.appURIs(a.guid)
	v := map[string]any{
		"application_id": a.guid, "application_name": a.name, "application_uris": uris,
		"name": a.name, "uris": uris, "space_id": sp.guid, "space_name": sp.name,
		"organization_id": o.guid, "organization_name": o.name, "cf_api": s.base,
		"limits": map[string]any{"fds": 16384},
	}
	if p != nil {
		v["application_version"] = p.lrpVersion
		v["version"] = p.lrpVersion
		v["process_id"] = p.guid
		v["process_type"] = p.kind
		v["limits"] = map[string]any{"fds": 16384, "mem": p.memoryMB, "disk": p.diskMB}
	}
	return v
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func upper(s string) string { return strings.ToUpper(s) }
