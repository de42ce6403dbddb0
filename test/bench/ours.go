package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

// line is one line of out's stderr timeline and when the bench read it: the timeline has no
// clock of its own, and a line is printed the moment a step is proven.
type line struct {
	At   time.Time
	Text string
}

// outRun is one run of the out binary.
type outRun struct {
	Start    time.Time
	Wall     time.Duration
	Lines    []line
	Version  map[string]string
	Metadata map[string]string
	MaxRSSKB int64 // out's peak resident set, KiB (VmHWM; see watchPeakRSS)
}

// runOut pipes a put request into out, exactly as Concourse (and test/integration) does,
// and reads its stderr line by line as it comes.
func runOut(ctx context.Context, bin, inputs string, req any) (outRun, error) {
	var res outRun
	body, err := json.Marshal(req)
	if err != nil {
		return res, fmt.Errorf("encode the put request: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, inputs)
	cmd.Stdin = bytes.NewReader(body)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return res, fmt.Errorf("run out: %w", err)
	}
	start := time.Now()
	res.Start = start
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("run out: %w", err)
	}
	exited := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { res.MaxRSSKB = watchPeakRSS(cmd.Process.Pid, exited) })
	res.Lines = readLines(stderr) // stderr closes when out exits
	close(exited)
	wg.Wait()
	err = cmd.Wait()
	res.Wall = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("out failed (%w):\n%s", err, joinLines(res.Lines))
	}
	if err := decodeOutput(stdout.Bytes(), &res); err != nil {
		return res, err
	}
	return res, nil
}

func readLines(r io.Reader) []line {
	var out []line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		out = append(out, line{At: time.Now(), Text: sc.Text()})
	}
	return out
}

func joinLines(ls []line) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

func decodeOutput(stdout []byte, res *outRun) error {
	var out struct {
		Version  map[string]string `json:"version"`
		Metadata []struct {
			Name, Value string
		} `json:"metadata"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		return fmt.Errorf("out printed no JSON (%w): %q", err, stdout)
	}
	res.Version, res.Metadata = out.Version, map[string]string{}
	for _, m := range out.Metadata {
		res.Metadata[m.Name] = m.Value
	}
	return nil
}

// firstLine is when out printed the first line containing all of parts; zero if never.
func (r outRun) firstLine(parts ...string) time.Time {
	for _, l := range r.Lines {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l.Text, p)
		}
		if all {
			return l.At
		}
	}
	return time.Time{}
}

// putRequest is the put's JSON: the foundation's credentials, every router probed directly.
func putRequest(info cfsim.Info, params map[string]any) map[string]any {
	return map[string]any{
		"source": map[string]any{"api": info.APIURL, "username": info.Username, "password": info.Password,
			"organization": info.Org, "space": info.Space, "router_urls": info.RouterURLs},
		"params": params,
	}
}

// watchPeakRSS reads the process's VmHWM (the high-water mark of its resident set) every
// 10 ms until exited is closed, and returns the last value seen. getrusage's ru_maxrss
// cannot be used: Go starts children with vfork, and the kernel then counts the parent's
// resident set as the child's, so every child would report at least the bench's size.
func watchPeakRSS(pid int, exited <-chan struct{}) int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var peak int64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if kb, ok := readHWM(path); ok {
			peak = max(peak, kb)
		}
		select {
		case <-exited:
			return peak
		case <-tick.C:
		}
	}
}

func readHWM(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
