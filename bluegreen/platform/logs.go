package platform

import "time"

// LogLine is one line of an app's log as Log Cache serves it.
type LogLine struct {
	Time    time.Time
	Source  string // STG, APP/PROC/WEB, CELL, RTR, API...
	Index   string // the instance that wrote it ("" for staging and API lines)
	Stderr  bool
	Message string
}
