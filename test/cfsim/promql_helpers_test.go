package cfsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	. "github.com/onsi/gomega"
)

// vectorSample is one sample of a PromQL vector answer.
type vectorSample struct {
	metric map[string]string
	at     string // the timestamp as written: seconds with 3 decimals
	value  float64
}

// promqlAnswer is the body of a successful PromQL answer.
type promqlAnswer struct {
	Status string `json:"status"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// query runs an instant query at the given time ("" for Log Cache's default) and fails the
// spec unless it answers a vector.
func (f *foundation) query(q, at string) []vectorSample {
	params := url.Values{"query": {q}}
	if at != "" {
		params.Set("time", at)
	}
	status, body := f.logCacheGet("/api/v1/query", params)
	Expect(status).To(Equal(http.StatusOK), body)
	var a promqlAnswer
	Expect(json.Unmarshal([]byte(body), &a)).To(Succeed(), body)
	Expect(a.Status).To(Equal("success"))
	Expect(a.Data.ResultType).To(Equal("vector"), body)
	var raw []struct {
		Metric map[string]string `json:"metric"`
		Value  []json.RawMessage `json:"value"`
	}
	Expect(json.Unmarshal(a.Data.Result, &raw)).To(Succeed(), body)
	Expect(raw).NotTo(BeNil(), "an empty vector is [], never null")
	out := make([]vectorSample, len(raw))
	for i, s := range raw {
		Expect(s.Value).To(HaveLen(2), body)
		var v string
		Expect(json.Unmarshal(s.Value[1], &v)).To(Succeed(), "values are strings: %s", body)
		out[i] = vectorSample{metric: s.Metric, at: string(s.Value[0]), value: parseFloat(v)}
	}
	return out
}

// value is the one sample's value of a query that answers exactly one.
func (f *foundation) value(q, at string) float64 {
	v := f.query(q, at)
	ExpectWithOffset(1, v).To(HaveLen(1), q)
	return v[0].value
}

// byLabel maps a vector's samples by one label's value.
func byLabel(v []vectorSample, label string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range v {
		out[s.metric[label]] = s.value
	}
	return out
}

func parseFloat(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	Expect(err).NotTo(HaveOccurred())
	return v
}

// now is a query time just after what happened so far, as go-log-cache writes it (%.3f seconds).
func now() string { return secondsParam(time.Now().Add(5 * time.Millisecond)) }

func secondsParam(t time.Time) string { return fmt.Sprintf("%.3f", float64(t.UnixNano())/1e9) }

// durations are the app's http timers' stop-start in ns, by request id.
func (f *foundation) durations(appGUID string) map[string]float64 {
	out := map[string]float64{}
	for _, e := range f.readLogs(appGUID, url.Values{"envelope_types": {"TIMER"}, "limit": {"1000"}}) {
		out[e.Tags["request_id"]] = float64(nanos(e.Timer.Stop) - nanos(e.Timer.Start))
	}
	return out
}

// sortedValues are a map's values, smallest first.
func sortedValues(m map[string]float64) []float64 {
	out := make([]float64, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Float64s(out)
	return out
}

// request sends GET path through the load balancer to the app, checks the status and waits
// until Log Cache holds the request's timer: the router records it once it has answered, so
// the client may see the answer first.
func (f *foundation) request(app, path string, status int) reply {
	r := get(f.info.LBURL, f.host(app), path)
	ExpectWithOffset(1, r.status).To(Equal(status), r.body)
	f.awaitTimer(f.appNamed(app).GUID, r.header.Get("X-Vcap-Request-Id"))
	return r
}

func (f *foundation) awaitTimer(appGUID, requestID string) {
	EventuallyWithOffset(2, func() map[string]float64 { return f.durations(appGUID) }, 5*time.Second, 10*time.Millisecond).
		Should(HaveKey(requestID))
}

// servedApp pushes a started app with the instances asked for and waits until its route answers
// through the routers; it returns the app's guid.
func (f *foundation) servedApp(name string, instances int) string {
	app, _ := f.push(pushOpts{name: name, version: "v1", instances: instances})
	f.waitRunning(app.GUID, max(instances, 1))
	f.reachable(name)
	return app.GUID
}
