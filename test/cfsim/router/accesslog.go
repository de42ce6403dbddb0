package router

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AccessLogRecord is one request a router proxied to an app instance, with gorouter's access
// log line for it. Gorouter sends that line to the app's logs (source type RTR, the router's
// index as instance); Options.AccessLog receives it here instead. The other fields are what
// gorouter's HttpStartStop event carries for the same request (handlers/httpstartstop.go, with
// dropsonde's factories.NewHttpStartStop): Log Cache keeps it as the app's http timer.
type AccessLogRecord struct {
	Router   int       // index of the router that proxied the request
	Endpoint Endpoint  // the instance it went to (the last one tried)
	Started  time.Time // when the router received the request
	Finished time.Time // when it had written the answer: Finished-Started is the timer's duration
	Line     string

	Method        string // GET, POST...
	URI           string // scheme://host/path, without the query, as dropsonde builds it
	RequestID     string // X-Vcap-Request-Id sent to the app
	RemoteAddr    string
	UserAgent     string
	Forwarded     string // X-Forwarded-For sent to the app
	Status        int    // the status the client got (0 if none was written)
	ContentLength int    // body bytes sent to the client
}

// attempt is what the retrier learnt about the request's round trips, for the access log.
type attempt struct {
	mu        sync.Mutex
	endpoint  *Endpoint
	sent      http.Header // headers of the last request sent to a backend
	appStart  time.Time
	appFinish time.Time
}

type attemptKey struct{}

func attemptFrom(ctx context.Context) *attempt {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	return a
}

// tried records one round trip to ep; done marks when its answer's headers arrived.
func (a *attempt) tried(ep Endpoint, sent http.Header) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.endpoint, a.sent, a.appStart = &ep, sent, time.Now()
}

func (a *attempt) done() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.appFinish = time.Now()
}

// countingWriter counts the body bytes sent and keeps the status, for the access log.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer to flush streamed answers.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countingBody counts the request body bytes the proxy read.
type countingBody struct {
	io.ReadCloser
	n int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += n
	return n, err
}

// serveLogged proxies r and hands the access log record to the fleet's hook, when the request
// reached the proxy (gorouter logs to an app only requests it routed to one of its instances).
func (rt *router) serveLogged(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	cw := &countingWriter{ResponseWriter: w}
	var body *countingBody
	if r.Body != nil && r.Body != http.NoBody {
		body = &countingBody{ReadCloser: r.Body}
		r.Body = body
	}
	a := &attempt{}
	rt.proxy.ServeHTTP(cw, r.WithContext(context.WithValue(r.Context(), attemptKey{}, a)))
	finished := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.endpoint == nil {
		return
	}
	rec := accessLine{r: r, started: started, finished: finished, status: cw.status, sentBytes: cw.bytes,
		ep: *a.endpoint, sent: a.sent, appTime: a.appFinish.Sub(a.appStart), routerError: cw.Header().Get(headerRouterError)}
	if body != nil {
		rec.receivedBytes = body.n
	}
	if a.appFinish.IsZero() {
		rec.appTime = -1
	}
	rt.accessLog(rec.record(rt.index))
}

// record is the access log record of the request, with its line and its HttpStartStop fields.
func (l accessLine) record(router int) AccessLogRecord {
	return AccessLogRecord{Router: router, Endpoint: l.ep, Started: l.started, Finished: l.finished, Line: l.format(),
		Method: l.r.Method, URI: "http://" + l.r.Host + l.r.URL.Path, RequestID: l.sent.Get(headerRequestID),
		RemoteAddr: l.r.RemoteAddr, UserAgent: l.r.UserAgent(), Forwarded: l.sent.Get("X-Forwarded-For"),
		Status: l.status, ContentLength: l.sentBytes}
}

// accessLine holds what gorouter's access log record prints.
type accessLine struct {
	r                 *http.Request
	started, finished time.Time
	status            int
	receivedBytes     int
	sentBytes         int
	ep                Endpoint
	sent              http.Header
	appTime           time.Duration // -1 when no backend answered
	routerError       string
}

// format writes the line as gorouter's AccessLogRecord does: host, start time, quoted
// request line, status, byte counts, quoted headers and addresses, then key:value fields.
func (l accessLine) format() string {
	var b strings.Builder
	b.WriteString(l.r.Host + " - [" + l.started.UTC().Format("2006-01-02T15:04:05.000000000Z") + "] ")
	field := func(v string) {
		if v == "" {
			v = "-"
		}
		b.WriteString(strconv.Quote(v) + " ")
	}
	b.WriteString(strconv.Quote(l.r.Method+" "+l.r.URL.RequestURI()+" "+l.r.Proto) + " ")
	status := `"-"`
	if l.status != 0 {
		status = strconv.Itoa(l.status)
	}
	b.WriteString(status + " " + strconv.Itoa(l.receivedBytes) + " " + strconv.Itoa(l.sentBytes) + " ")
	field(l.r.Header.Get("Referer"))
	field(l.r.Header.Get("User-Agent"))
	field(l.r.RemoteAddr)
	field(l.ep.Address)
	header := func(name string) string {
		if v := l.sent.Get(name); v != "" {
			return v
		}
		return l.r.Header.Get(name)
	}
	total := l.finished.Sub(l.started)
	for _, kv := range [][2]string{{"x_forwarded_for", header("X-Forwarded-For")},
		{"x_forwarded_proto", header("X-Forwarded-Proto")}, {"vcap_request_id", header(headerRequestID)}} {
		b.WriteString(kv[0] + ":")
		field(kv[1])
	}
	gorouterTime := `"-"`
	if l.appTime >= 0 {
		gorouterTime = seconds(total - l.appTime)
	}
	b.WriteString("response_time:" + seconds(total) + " gorouter_time:" + gorouterTime + " ")
	for _, kv := range [][2]string{{"app_id", l.ep.AppGUID}, {"app_index", strconv.Itoa(l.ep.Index)},
		{"instance_id", l.ep.InstanceGUID}, {"route_service_url", ""}} {
		b.WriteString(kv[0] + ":")
		field(kv[1])
	}
	b.WriteString("x_cf_routererror:")
	routerError := `"-"`
	if l.routerError != "" {
		routerError = strconv.Quote(l.routerError)
	}
	b.WriteString(routerError)
	return b.String()
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 6, 64) }
