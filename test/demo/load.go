package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

var httpClient = &http.Client{Timeout: 2 * time.Second}

// request sends GET / with the Host header and says what answered: the app's version, or
// gorouter's error.
func request(base, host string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Host = host
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, "connection error"
	}
	defer resp.Body.Close()
	version := resp.Header.Get("X-App-Version")
	if e := resp.Header.Get("X-Cf-Routererror"); e != "" {
		version = e
	}
	return resp.StatusCode, version
}

// load sends a request every 10 ms until stopped or a time bound (and at most 30000) and
// tallies the answers.
type load struct {
	mu      sync.Mutex
	sent    int
	failed  int
	answers map[string]int
	stop    chan struct{}
	done    chan struct{}
}

func startLoad(lb, host string, limit time.Duration) *load {
	l := &load{answers: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		end := time.Now().Add(limit)
		for i := 0; i < 30000 && time.Now().Before(end); i++ {
			select {
			case <-l.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			status, version := request(lb, host)
			l.mu.Lock()
			l.sent++
			if status != http.StatusOK {
				l.failed++
			}
			l.answers[fmt.Sprintf("%d %s", status, version)]++
			l.mu.Unlock()
		}
	}()
	return l
}

// wait stops the load (or waits for its time bound) and returns it.
func (l *load) wait() *load {
	select {
	case <-l.done:
	default:
		close(l.stop)
		<-l.done
	}
	return l
}

func (l *load) print(title string) {
	fmt.Printf("%s: %d requests sent, %d failed\n", title, l.sent, l.failed)
	keys := make([]string, 0, len(l.answers))
	for k := range l.answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %5d x %s\n", l.answers[k], k)
	}
}

func round(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func jsonList(v []string) string { b, _ := json.Marshal(v); return string(b) }

func jsonMap(v map[string]string) string {
	if v == nil {
		v = map[string]string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func stringReader(s string) io.Reader { return strings.NewReader(s) }
