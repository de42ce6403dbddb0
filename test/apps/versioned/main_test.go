package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestApp builds the binary once and runs it as the simulator would: a real process with PORT.
func TestApp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "versioned")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("serves its version and says who served", func(t *testing.T) { testServes(t, bin) })
	t.Run("HEALTH=fail fails only the health check", func(t *testing.T) { testHealthFail(t, bin) })
	t.Run("STATUS sets every status but health", func(t *testing.T) { testStatus(t, bin) })
	t.Run("CRASH=start exits at once", func(t *testing.T) { testCrashStart(t, bin) })
	t.Run("CRASH_AFTER exits after serving", func(t *testing.T) { testCrashAfter(t, bin) })
	t.Run("START_DELAY delays listening", func(t *testing.T) { testStartDelay(t, bin) })
	t.Run("SIGTERM stops it within a second", func(t *testing.T) { testSIGTERM(t, bin) })
	t.Run("invalid values refuse to start", func(t *testing.T) { testInvalid(t, bin) })
	t.Run("as a worker: a heartbeat, and WORKER_CRASH", func(t *testing.T) { testWorker(t, bin) })
	t.Run("as a migration task: its version, its services, its status", func(t *testing.T) { testMigrate(t, bin) })
}

func testMigrate(t *testing.T, bin string) {
	cmd := exec.Command(bin, "migrate", "--exit", "3")
	cmd.Env = []string{"VERSION=v4", `VCAP_SERVICES={"postgres":[{"name":"db"}],"user-provided":[{"name":"secrets"}]}`}
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("exit %v, want status 3", err)
	}
	for _, want := range []string{"migrating the schema to version=v4", "bound services: db, secrets"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("%q not in %q", want, out.String())
		}
	}
	if err := exec.Command(bin, "migrate").Run(); err != nil {
		t.Errorf("a migration without flags fails: %v", err)
	}
}

func testWorker(t *testing.T, bin string) {
	cmd := exec.Command(bin, "worker")
	cmd.Env = []string{"VERSION=v3"}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the worker did not stop cleanly: %v", err)
	}
	if !strings.Contains(out.String(), "version=v3 still working") {
		t.Errorf("no heartbeat in %q", out.String())
	}
	for env, wantStderr := range map[string]string{"WORKER_CRASH=start": "at start", "WORKER_CRASH=200ms": "has passed"} {
		crash := exec.Command(bin, "worker")
		crash.Env = []string{env}
		var stderr bytes.Buffer
		crash.Stderr = &stderr
		err := crash.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), wantStderr) {
			t.Errorf("%s: exit %v, stderr %q; want exit 2 saying %q", env, err, stderr.String(), wantStderr)
		}
	}
	web := start(t, bin, "WORKER_CRASH=start") // the web process ignores it
	web.waitReady(t, 3*time.Second)
}

func testServes(t *testing.T, bin string) {
	p := start(t, bin, "VERSION=v7", "CF_INSTANCE_INDEX=2", "CF_INSTANCE_GUID=guid-2")
	p.waitReady(t, 3*time.Second)
	resp, body := get(t, p.url+"/any/path?q=1", "X-CF-ApplicationID: app-guid", "X-CF-InstanceIndex: 2")
	want := map[string]string{
		"X-App-Version": "v7", "X-Served-By-App": "app-guid", "X-Served-By-Index": "2",
		"X-Instance-Index": "2", "X-Instance-Guid": "guid-2",
	}
	expect(t, resp.StatusCode == 200 && body == "version=v7", "got %d %q", resp.StatusCode, body)
	for name, v := range want {
		expect(t, resp.Header.Get(name) == v, "%s = %q, want %q", name, resp.Header.Get(name), v)
	}
	resp, body = get(t, p.url+"/health")
	expect(t, resp.StatusCode == 200 && body == "ok", "health: got %d %q", resp.StatusCode, body)
	p.stop(t)
	expect(t, strings.Count(p.stdout.String(), "listening on") == 1, "stdout: %q", p.stdout.String())
}

func testHealthFail(t *testing.T, bin string) {
	p := start(t, bin, "HEALTH=fail")
	p.waitReady(t, 3*time.Second)
	resp, _ := get(t, p.url+"/health")
	expect(t, resp.StatusCode == 500, "health: got %d", resp.StatusCode)
	resp, body := get(t, p.url+"/")
	expect(t, resp.StatusCode == 200 && body == "version=unknown", "got %d %q", resp.StatusCode, body)
}

func testStatus(t *testing.T, bin string) {
	p := start(t, bin, "STATUS=503", "VERSION=v2")
	p.waitReady(t, 3*time.Second)
	resp, body := get(t, p.url+"/")
	expect(t, resp.StatusCode == 503 && body == "version=v2", "got %d %q", resp.StatusCode, body)
	expect(t, resp.Header.Get("X-App-Version") == "v2", "X-App-Version = %q", resp.Header.Get("X-App-Version"))
	resp, _ = get(t, p.url+"/health")
	expect(t, resp.StatusCode == 200, "health: got %d", resp.StatusCode)
}

func testCrashStart(t *testing.T, bin string) {
	p := start(t, bin, "CRASH=start")
	code := p.wait(t, 2*time.Second)
	expect(t, code == 1, "exit code %d", code)
	expect(t, strings.Contains(p.stderr.String(), "CRASH=start"), "stderr: %q", p.stderr.String())
}

func testCrashAfter(t *testing.T, bin string) {
	began := time.Now()
	p := start(t, bin, "CRASH_AFTER=400ms")
	p.waitReady(t, 3*time.Second)
	code := p.wait(t, 3*time.Second)
	expect(t, code == 1, "exit code %d", code)
	expect(t, time.Since(began) >= 400*time.Millisecond, "exited after %s", time.Since(began))
	expect(t, strings.Contains(p.stderr.String(), "CRASH_AFTER"), "stderr: %q", p.stderr.String())
}

func testStartDelay(t *testing.T, bin string) {
	began := time.Now()
	p := start(t, bin, "START_DELAY=500ms")
	p.waitReady(t, 3*time.Second)
	expect(t, time.Since(began) >= 500*time.Millisecond, "ready after %s", time.Since(began))
}

func testSIGTERM(t *testing.T, bin string) {
	p := start(t, bin)
	p.waitReady(t, 3*time.Second)
	began := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := p.wait(t, 2*time.Second)
	expect(t, code == 0, "exit code %d, stderr %q", code, p.stderr.String())
	expect(t, time.Since(began) < time.Second, "stopped after %s", time.Since(began))
}

func testInvalid(t *testing.T, bin string) {
	for _, env := range []string{
		"CRASH=later", "CRASH_AFTER=soon", "CRASH_AFTER=0s", "HEALTH=maybe", "STATUS=abc",
		"STATUS=99", "START_DELAY=-1s", "PORT=", "PORT=http", "ERROR_RATE=2", "LATENCY=1 s",
	} {
		p := start(t, bin, env)
		code := p.wait(t, 2*time.Second)
		name, _, _ := strings.Cut(env, "=")
		expect(t, code == 1, "%s: exit code %d", env, code)
		expect(t, strings.Contains(p.stderr.String(), name), "%s: stderr %q", env, p.stderr.String())
	}
}

// proc is one run of the app; its output is read only after it exited.
type proc struct {
	cmd            *exec.Cmd
	url            string
	stdout, stderr bytes.Buffer
	done           chan error
}

// start runs bin with PORT set to a free port and only the given environment, so stray
// variables from the test's own environment cannot flip a switch.
func start(t *testing.T, bin string, env ...string) *proc {
	t.Helper()
	port := freePort(t)
	p := &proc{url: "http://127.0.0.1:" + port, done: make(chan error, 1)}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append([]string{"PORT=" + port}, env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait returns the exit code, failing the test if the process is still running after limit.
func (p *proc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // let the cleanup's receive return too
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		t.Fatalf("still running after %s", limit)
		return -1
	}
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 2*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
}

// waitReady polls until the app answers at all.
func (p *proc) waitReady(t *testing.T, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(p.url + "/health"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("not answering after %s", limit)
}

var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Second}

func get(t *testing.T, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func expect(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}
