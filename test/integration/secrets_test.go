package integration_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/manifest"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
)

// The secrets scan: every run of check, in and out is recorded with the secrets it was given
// (credentials, vars, env values, the manifest's env values) and those of the spec's
// foundations (their credentials and every token their UAA issued); when the spec ends, its
// stdout and stderr are searched for each. A secret is what the resource's redactor would
// hide: credentials of 3 characters or more, values of 8 or more that are not plain numbers
// or booleans.
type secretScan struct {
	mu   sync.Mutex
	sims []*cfsim.Sim // the running spec's foundations
}

// scan is suite-scoped: each Ginkgo process runs one spec at a time, and the totals travel
// in report entries, so parallel processes need nothing shared.
var scan = &secretScan{}

const scanEntry = "secrets scan"

// secret is a value that must not be printed, and what it is (never the value) for messages.
type secret struct{ what, value string }

// foundation registers a spec's simulator: its credentials and tokens are secrets of every run.
func (sc *secretScan) foundation(sim *cfsim.Sim) {
	sc.mu.Lock()
	sc.sims = append(sc.sims, sim)
	sc.mu.Unlock()
	DeferCleanup(func() {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		for i, s := range sc.sims {
			if s == sim {
				sc.sims = append(sc.sims[:i], sc.sims[i+1:]...)
				break
			}
		}
	})
}

// track records a started run of a resource binary, cmd with stdin, and scans its output
// when the spec ends (before its foundations close).
func (sc *secretScan) track(s *gexec.Session, cmd *exec.Cmd, stdin []byte) {
	dir := ""
	if len(cmd.Args) > 1 {
		dir = cmd.Args[1]
	}
	given := requestSecrets(stdin, dir)
	DeferCleanup(func() {
		secrets := append(given, sc.foundationSecrets()...)
		output := string(s.Out.Contents()) + string(s.Err.Contents())
		leaks := leaked(output, secrets)
		AddReportEntry(scanEntry, ReportEntryVisibilityNever,
			fmt.Sprintf("%d %d %d", len(output), len(secrets), len(leaks)))
		Expect(leaks).To(BeEmpty(), "%s printed secrets", filepath.Base(cmd.Path))
	})
}

func (sc *secretScan) foundationSecrets() []secret {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	var out []secret
	for _, sim := range sc.sims {
		info := sim.Info()
		out = append(out, credential("the foundation's password", info.Password),
			credential("the foundation's client secret", info.ClientSecret))
		for _, t := range sim.IssuedTokens() {
			out = append(out, secret{"a token UAA issued", t})
		}
	}
	return keep(out)
}

// requestSecrets reads the secrets out of a request: credentials (the registry's password
// too), every var (nested ones and the vars files' too), the env vars, and the env values of
// the manifest it names.
func requestSecrets(stdin []byte, dir string) []secret {
	var req struct {
		Source struct {
			Password     string `json:"password"`
			ClientSecret string `json:"client_secret"`
		} `json:"source"`
		Params struct {
			Manifest       string            `json:"manifest"`
			Vars           map[string]any    `json:"vars"`
			VarsFiles      []string          `json:"vars_files"`
			Env            map[string]string `json:"environment_variables"`
			DockerPassword string            `json:"docker_password"`
		} `json:"params"`
	}
	if json.Unmarshal(stdin, &req) != nil {
		return nil // bad input: the specs of bad input carry no secrets
	}
	out := []secret{credential("source.password", req.Source.Password), credential("source.client_secret", req.Source.ClientSecret),
		credential("params.docker_password", req.Params.DockerPassword)}
	var files []string
	for _, f := range req.Params.VarsFiles {
		files = append(files, filepath.Join(dir, f))
	}
	values, _ := manifest.Values(req.Params.Vars, files)
	for _, v := range values {
		out = append(out, value("a var", v))
	}
	for k, v := range req.Params.Env {
		out = append(out, value("params.environment_variables."+k, v))
	}
	if req.Params.Manifest != "" && dir != "" {
		if m, err := manifest.Load(filepath.Join(dir, req.Params.Manifest), req.Params.Vars, files); err == nil {
			for _, app := range m.Apps {
				for k, v := range app.Env {
					out = append(out, value("manifest env "+k, v))
				}
			}
		}
	}
	return keep(out)
}

// credential and value apply the redactor's thresholds; keep drops what they rule out.
func credential(what, v string) secret {
	if len(v) < 3 {
		return secret{}
	}
	return secret{what, v}
}

func value(what, v string) secret {
	if _, err := strconv.ParseFloat(v, 64); len(v) < 8 || err == nil || v == "true" || v == "false" {
		return secret{}
	}
	return secret{what, v}
}

func keep(in []secret) []secret {
	var out []secret
	for _, s := range in {
		if s.value != "" {
			out = append(out, s)
		}
	}
	return out
}

// leaked names (never quotes) the secrets that appear in output.
func leaked(output string, secrets []secret) []string {
	seen := map[string]bool{}
	for _, s := range secrets {
		if strings.Contains(output, s.value) {
			seen[s.what] = true
		}
	}
	var out []string
	for what := range seen {
		out = append(out, what)
	}
	sort.Strings(out)
	return out
}

// The suite-level verdict: how much the scan read across every process, and that it found
// nothing (each leak has already failed its spec; this says so once more, in one place).
var _ = ReportAfterSuite("secrets scan", func(r Report) {
	runs, bytes, leaks := 0, 0, 0
	for _, spec := range r.SpecReports {
		for _, e := range spec.ReportEntries {
			if e.Name != scanEntry {
				continue
			}
			var n, k, l int
			if _, err := fmt.Sscanf(e.StringRepresentation(), "%d %d %d", &n, &k, &l); err == nil {
				runs, bytes, leaks = runs+1, bytes+n, leaks+l
			}
		}
	}
	fmt.Printf("secrets scan: %d runs of check, in and out, %d bytes of output, %d secrets printed\n", runs, bytes, leaks)
	Expect(leaks).To(BeZero(), "runs printed secrets; see the failed specs")
})

var _ = Describe("the secrets scan", func() {
	It("finds a secret in a run's output and names it without quoting it", func() {
		secrets := requestSecrets([]byte(`{"source":{"password":"pw-123"},"params":{"vars":{"db":{"password":"s3cr3t-db-pw"}},`+
			`"environment_variables":{"API_KEY":"key-abcdefgh","PORT":"8080"},"docker_password":"reg-pw"}}`), "")
		Expect(leaked("login with pw-123 as admin", secrets)).To(Equal([]string{"source.password"}))
		Expect(leaked("pulling with reg-pw", secrets)).To(Equal([]string{"params.docker_password"}))
		Expect(leaked("error: db s3cr3t-db-pw", secrets)).To(Equal([]string{"a var"}))
		Expect(leaked("env API_KEY=key-abcdefgh PORT=8080", secrets)).To(Equal([]string{"params.environment_variables.API_KEY"}))
		Expect(leaked("deployed myapp on port 8080", secrets)).To(BeEmpty(), "short and plain values are not secrets")
	})
})

var _ = Describe("out, check and in with secrets in vars, vars files, env vars and the manifest", func() {
	It("print none of them, deploying or rolling back, while the scan sees every one", func() {
		w := newWorld()
		w.sim.SetTokenTTL(3 * time.Second) // many tokens, all of them secrets
		w.write("creds.yml", "api_token: token-from-a-vars-file\n")
		w.write("manifest.yml", baseManifest+`    DB_PASSWORD: ((db.password))
    API_TOKEN: ((api_token))
    LITERAL: written-in-the-manifest
`)
		request := func(v string, env map[string]any) map[string]any {
			req := w.request(v, map[string]any{"vars_files": []any{"creds.yml"},
				"vars":         map[string]any{"version": v, "db": map[string]any{"password": "db-password-in-a-map"}},
				"smoke_checks": []any{map[string]any{"path": "/", "status": 200, "failure_limit": 2}}})
			env["SESSION_KEY"] = "session-key-param"
			req["params"].(map[string]any)["environment_variables"] = env
			return req
		}
		body, err := json.Marshal(request("v1", map[string]any{}))
		Expect(err).NotTo(HaveOccurred())
		var values []string
		for _, s := range requestSecrets(body, w.inputs) {
			values = append(values, s.value)
		}
		Expect(values).To(ContainElements(w.info.Password, "db-password-in-a-map", "token-from-a-vars-file",
			"written-in-the-manifest", "session-key-param"), "the scan knows what to look for")

		Expect(w.out(request("v1", map[string]any{})).code).To(Equal(0))
		failed := w.out(request("v2", map[string]any{"STATUS": "500"}))
		Expect(failed.code).NotTo(Equal(0))
		failed = w.out(request("v2", map[string]any{"CRASH": "start"}))
		Expect(failed.code).NotTo(Equal(0))
		Expect(w.check(nil)).To(HaveLen(1))
		Expect(len(w.sim.IssuedTokens())).To(BeNumerically(">", 2))
		// Each run above is scanned when this spec ends (track); a leak fails it then.
	})
})
