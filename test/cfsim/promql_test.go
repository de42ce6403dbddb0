package cfsim_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

var _ = Describe("Log Cache's PromQL", func() {
	var f *foundation
	BeforeEach(func() { f = startFoundation(cfsim.Config{Routers: 2, StagingTime: 50 * time.Millisecond}) })
	AfterEach(func() { f.close() })

	sel := func(guid string, labels ...string) string {
		s := `http{source_id="` + guid + `"`
		for i := 0; i+1 < len(labels); i += 2 {
			s += "," + labels[i] + `="` + labels[i+1] + `"`
		}
		return s + "}"
	}

	It("counts requests by status code: every request is a series of its own, so the count is summed", func() {
		guid := f.servedApp("shop", 2)
		before := len(f.durations(guid))
		for _, status := range []int{200, 200, 200, 503, 503, 404} {
			f.request("shop", "/?status="+strconv.Itoa(status), status)
		}
		at := now()
		perRequest := f.query(`count_over_time(`+sel(guid)+`[1m])`, at)
		Expect(perRequest).To(HaveLen(before + 6))
		for _, s := range perRequest {
			Expect(s.value).To(Equal(1.0))
			Expect(s.metric).To(HaveKey("request_id"))
			Expect(s.metric).NotTo(HaveKey("__name__"), "functions drop the metric name")
			Expect(parseFloat(s.at)).To(BeNumerically("~", parseFloat(at), 0.0015), "the query's time, to the millisecond")
		}
		byStatus := f.query(`sum by (status_code) (count_over_time(`+sel(guid)+`[1m]))`, at)
		Expect(byLabel(byStatus, "status_code")).To(Equal(map[string]float64{
			"200": float64(before + 3), "503": 2, "404": 1}))
		Expect(byStatus[0].metric).To(HaveLen(1), "by keeps only its labels")
		after := f.query(`sum(count_over_time(`+sel(guid)+`[1m])) by (status_code)`, at)
		Expect(after).To(Equal(byStatus), "by may follow the argument")
		Expect(f.value(`sum(count_over_time(`+sel(guid, "status_code", "503")+`[1m]))`, at)).To(Equal(2.0))
		perInstance := byLabel(f.query(`count by (instance_id) (count_over_time(`+sel(guid)+`[1m]))`, at), "instance_id")
		Expect(perInstance["0"] + perInstance["1"]).To(Equal(float64(before + 6)))
		Expect(perInstance["0"]).To(BeNumerically(">", 0), "the routers balance over both instances")
		Expect(perInstance["1"]).To(BeNumerically(">", 0), "the routers balance over both instances")
	})

	It("folds each series over its range with sum, max, min, avg and count_over_time, and aggregates with sum, max, min, avg and count", func() {
		guid := f.servedApp("shop", 1)
		f.request("shop", "/?delay=50ms", 200)
		f.request("shop", "/?delay=120ms", 200)
		at := now()
		d := sortedValues(f.durations(guid))
		total := 0.0
		for _, v := range d {
			total += v
		}
		Expect(f.value(`sum(sum_over_time(`+sel(guid)+`[1m]))`, at)).To(Equal(total))
		Expect(f.value(`max(max_over_time(`+sel(guid)+`[1m]))`, at)).To(Equal(d[len(d)-1]))
		Expect(f.value(`min(min_over_time(`+sel(guid)+`[1m]))`, at)).To(Equal(d[0]))
		Expect(f.value(`avg(avg_over_time(`+sel(guid)+`[1m]))`, at)).To(BeNumerically("~", total/float64(len(d)), 1))
		Expect(f.value(`count(count_over_time(`+sel(guid)+`[1m]))`, at)).To(Equal(float64(len(d))))
		Expect(d[len(d)-1]).To(BeNumerically(">=", float64(120*time.Millisecond)), "values are stop-start in ns")
		mean := f.value(`sum(sum_over_time(`+sel(guid)+`[1m])) / sum(count_over_time(`+sel(guid)+`[1m]))`, at)
		Expect(mean).To(BeNumerically("~", total/float64(len(d)), 1))
		Expect(f.value(`sum(count_over_time(`+sel(guid)+`[1m])) * 2 - 1`, at)).To(Equal(float64(2*len(d) - 1)))
	})

	It("takes a latency percentile across requests with quantile over each request's max_over_time", func() {
		guid := f.servedApp("shop", 1)
		for range 7 {
			f.request("shop", "/", 200)
		}
		slow := f.request("shop", "/?delay=300ms", 200)
		f.request("shop", "/?delay=300ms", 200)
		at := now()
		process := slow.header.Get("X-Process-Guid")
		Expect(process).NotTo(BeEmpty())
		d := sortedValues(f.durations(guid))
		Expect(d).To(HaveLen(10), "the one request of reachable, 7 fast, 2 slow")
		series := `max_over_time(` + sel(guid, "process_id", process) + `[30s])`
		p95 := f.value(`quantile(0.95, `+series+`)`, at)
		Expect(p95).To(BeNumerically("~", d[8]*0.45+d[9]*0.55, 1), "Prometheus interpolates between the closest ranks")
		Expect(p95).To(BeNumerically(">=", float64(300*time.Millisecond)))
		Expect(f.value(`quantile(0.5, `+series+`)`, at)).To(BeNumerically("<", float64(100*time.Millisecond)))
		Expect(f.value(`quantile(1, `+series+`)`, at)).To(Equal(d[9]))
		Expect(f.query(`quantile(0.95, `+series+`)`, secondsParam(time.Now().Add(time.Hour)))).To(BeEmpty(),
			"no request in the window: an empty vector, not 0")
	})

	It("answers an instant selector with each series' latest sample, its metric name and the query's time", func() {
		guid := f.servedApp("shop", 1)
		r := f.request("shop", "/?status=201", 201)
		id := r.header.Get("X-Vcap-Request-Id")
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
		v := f.query(sel(guid, "request_id", id), "")
		Expect(v).To(HaveLen(1))
		Expect(v[0].metric).To(HaveKeyWithValue("__name__", "http"))
		Expect(v[0].metric).To(HaveKeyWithValue("status_code", "201"))
		Expect(v[0].metric).To(HaveKeyWithValue("source_id", guid))
		Expect(v[0].value).To(Equal(f.durations(guid)[id]))
		Expect(v[0].at).To(MatchRegexp(`^\d{10}\.000$`), "by default, now truncated to the second")
		rfc := time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)
		Expect(f.query(sel(guid, "request_id", id), rfc)).To(HaveLen(1), "time may be RFC3339")
	})

	It("compares every label but source_id for exact equality whatever the operator, as Log Cache does", func() {
		guid := f.servedApp("shop", 1)
		f.request("shop", "/?status=503", 503)
		f.request("shop", "/?status=500", 500)
		at := now()
		count := func(matcher string) []vectorSample {
			return f.query(`sum(count_over_time(http{source_id="`+guid+`",`+matcher+`}[1m]))`, at)
		}
		Expect(count(`status_code=~"5.."`)).To(BeEmpty(), "a regex matches only its own text")
		Expect(count(`status_code=~"503"`)[0].value).To(Equal(1.0))
		Expect(count(`status_code!="503"`)[0].value).To(Equal(1.0), "!= acts as =")
		Expect(count(`status_code!~"500"`)[0].value).To(Equal(1.0))
	})

	It("accepts app names as source ids, and lists of them, expanded to the apps' GUIDs", func() {
		shop := f.servedApp("shop", 1)
		cart := f.servedApp("cart", 1)
		at := now()
		byName := f.query(`sum by (source_id) (count_over_time(http{source_id="shop"}[1m]))`, at)
		Expect(byLabel(byName, "source_id")).To(Equal(map[string]float64{shop: 1}))
		both := f.query(`sum by (app_name) (count_over_time(http{source_id=~"shop|`+cart+`"}[1m]))`, at)
		Expect(byLabel(both, "app_name")).To(Equal(map[string]float64{"shop": 1, "cart": 1}))
	})

	It("answers a range query with a matrix, one point per step", func() {
		guid := f.servedApp("shop", 1)
		f.request("shop", "/", 200)
		end := time.Now().Add(time.Second).Truncate(time.Second)
		q := url.Values{"query": {`sum(count_over_time(` + sel(guid) + `[1m]))`},
			"start": {strconv.FormatInt(end.Add(-2*time.Second).Unix(), 10)}, "end": {strconv.FormatInt(end.Unix(), 10)}}
		for _, step := range []string{"1", "1s"} {
			q.Set("step", step)
			status, body := f.logCacheGet("/api/v1/query_range", q)
			Expect(status).To(Equal(http.StatusOK), body)
			// Steps before the app's first request have no sample, so no point.
			Expect(body).To(MatchRegexp(`^\{"status":"success","data":\{"resultType":"matrix","result":\[\{"metric":\{\},` +
				`"values":\[(\[\d+\.000,"[12]"\],)*\[` + strconv.FormatInt(end.Unix(), 10) + `\.000,"2"\]\]\}\]\}\}\n$`))
		}
		q.Set("query", `sum(count_over_time(`+sel(guid, "status_code", "599")+`[1m]))`)
		status, body := f.logCacheGet("/api/v1/query_range", q)
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(Equal(`{"status":"success","data":{"resultType":"matrix","result":[]}}` + "\n"))
		status, body = f.logCacheGet("/api/v1/query", url.Values{"query": {sel(guid) + "[1m]"}, "time": {now()}})
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(HavePrefix(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"http",`))
	})

	It("writes a vector's timestamps as numbers with 3 decimals and its values as strings, and an empty one as []", func() {
		guid := f.servedApp("shop", 1)
		status, body := f.logCacheGet("/api/v1/query", url.Values{
			"query": {`sum(count_over_time(` + sel(guid) + `[1m]))`}, "time": {"1718000000.5"}})
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(Equal(`{"status":"success","data":{"resultType":"vector","result":[]}}` + "\n"))
		status, body = f.logCacheGet("/api/v1/query", url.Values{"query": {`sum(count_over_time(` + sel(guid) + `[1m]))`}, "time": {now()}})
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(MatchRegexp(`^\{"status":"success","data":\{"resultType":"vector","result":\[\{"metric":\{\},"value":\[\d{10}\.\d{3},"1"\]\}\]\}\}\n$`))
	})

	It("refuses what the proxy and the engine refuse, with their status and body", func() {
		guid := f.servedApp("shop", 1)
		expectError := func(path, q string, status int, body string) {
			code, got := f.logCacheGet(path, url.Values{"query": {q}, "time": {now()}, "start": {"1"}, "end": {"2"}, "step": {"1"}})
			ExpectWithOffset(1, code).To(Equal(status), got)
			ExpectWithOffset(1, got).To(MatchJSON(body))
		}
		expectError("/api/v1/query", `sum(count_over_time(http[1m]))`, 400,
			`{"status":"error","errorType":"bad_data","error":"query does not request any source_ids"}`)
		expectError("/api/v1/query", `http{source_id="`+guid+`"} / other`, 500,
			`{"status":"error","errorType":"internal","error":"metric 'other' does not have a 'source_id' label"}`)
		expectError("/api/v1/query_range", sel(guid)+`[1m]`, 500, `{"status":"error","errorType":"internal",`+
			`"error":"invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}`)
		for q, what := range map[string]string{
			`rate(` + sel(guid) + `[1m])`:                      "the function rate",
			sel(guid) + ` offset 1m`:                           "the offset modifier",
			`sum without (uri) (` + sel(guid) + `)`:            "the keyword without",
			sel(guid) + ` > 5`:                                 "the operator >",
			`max_over_time(` + sel(guid) + `[1m:10s])`:         "a subquery",
			`count_over_time(` + sel(guid) + `[1m] offset 1m)`: "the offset modifier",
		} {
			expectError("/api/v1/query", q, 400, `{"status":"error","errorType":"bad_data",`+
				`"error":"cfsim's PromQL supports only a subset of PromQL: `+what+` is not supported"}`)
		}
		code, body := f.logCacheGet("/api/v1/query", url.Values{"query": {`sum(` + sel(guid)}})
		Expect(code).To(Equal(http.StatusBadRequest))
		Expect(body).To(MatchRegexp(`^\{"status":"error","errorType":"bad_data","error":"parse error at char \d+: .+"\}\n$`))
		code, body = f.logCacheGet("/api/v1/query", url.Values{"query": {sel(guid)}, "time": {"yesterday"}})
		Expect(code).To(Equal(http.StatusInternalServerError))
		Expect(body).To(MatchJSON(`{"status":"error","errorType":"internal","error":"cannot parse \"yesterday\" to a valid Unix or RFC3339 timestamp"}`))
	})

	It("answers 404 with an empty body without a token, with a bad one, and for a source id the caller cannot read", func() {
		guid := f.servedApp("shop", 1)
		q := url.Values{"query": {`sum(count_over_time(http{source_id="` + guid + `"}[1m]))`}}
		for _, auth := range []string{"", "bearer not.a.token"} {
			resp, body := rawGet(f.info.LogCacheURL+"/api/v1/query?"+q.Encode(), auth)
			Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
			Expect(body).To(BeEmpty())
		}
		for _, id := range []string{"no-such-app", guid + `|no-such-app`} {
			status, body := f.logCacheGet("/api/v1/query", url.Values{"query": {`http{source_id=~"` + id + `"}`}})
			Expect(status).To(Equal(http.StatusNotFound), id)
			Expect(body).To(BeEmpty())
		}
		_, err := f.cf.Applications.Delete(context.Background(), guid)
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() int { status, _ := f.logCacheGet("/api/v1/query", q); return status }, 10*time.Second, 50*time.Millisecond).
			Should(Equal(http.StatusNotFound), "a deleted app's metrics are no one's")
	})
})
