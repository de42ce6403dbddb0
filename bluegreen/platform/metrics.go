package platform

import (
	"errors"
	"fmt"
	"time"
)

// MetricsQuery asks what the routers measured of an app's requests over a window: the app's
// (source id) requests, or only those one of its processes answered (a CAPI deployment's new
// web process has its own GUID, so a canary is told from the old instances by its process).
type MetricsQuery struct {
	AppGUID     string
	ProcessGUID string // "" for every process of the app
	Start, End  time.Time
	Percentile  float64 // of the latency, above 0 and below 100 (95 for p95)
}

// RequestStats are the routers' figures for the requests of a MetricsQuery's window.
type RequestStats struct {
	Requests     int           // requests the routers proxied to the app (or process)
	ServerErrors int           // of them, answered with a 5xx status
	Latency      time.Duration // the asked percentile of their durations; 0 without requests
}

// SuccessRate is the share of requests not answered with a 5xx; 1 without requests.
func (s RequestStats) SuccessRate() float64 {
	if s.Requests == 0 {
		return 1
	}
	return float64(s.Requests-s.ServerErrors) / float64(s.Requests)
}

// Check refuses a query no Log Cache can answer meaningfully.
func (q MetricsQuery) Check() error {
	switch {
	case q.AppGUID == "":
		return errors.New("read request metrics: no app guid")
	case q.End.Before(q.Start):
		return fmt.Errorf("read the request metrics of app %s: the window ends (%s) before it starts (%s)",
			q.AppGUID, q.End.Format(time.RFC3339Nano), q.Start.Format(time.RFC3339Nano))
	case !(q.Percentile > 0 && q.Percentile < 100):
		return fmt.Errorf("read the request metrics of app %s: percentile %v is not above 0 and below 100", q.AppGUID, q.Percentile)
	}
	return nil
}
