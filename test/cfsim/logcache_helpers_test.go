package cfsim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudfoundry/go-cfclient/v3/resource"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// envelope is a Log Cache log envelope as the gateway serves it.
type envelope struct {
	Timestamp      string            `json:"timestamp"`
	SourceID       string            `json:"source_id"`
	InstanceID     string            `json:"instance_id"`
	DeprecatedTags map[string]any    `json:"deprecated_tags"`
	Tags           map[string]string `json:"tags"`
	Log            *struct {
		Payload []byte `json:"payload"` // base64 on the wire
		Type    string `json:"type"`
	} `json:"log"`
	Timer *struct {
		Name  string `json:"name"`
		Start string `json:"start"` // Unix ns, as a string
		Stop  string `json:"stop"`
	} `json:"timer"`
}

// line is how the cf CLI prints an envelope: "[SOURCE_TYPE/INSTANCE] OUT|ERR message".
func (e envelope) line() string {
	return "[" + e.Tags["source_type"] + "/" + e.InstanceID + "] " + e.Log.Type + " " + string(e.Log.Payload)
}

func lines(envs []envelope) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.line()
	}
	return out
}

// logCacheURL is the root's log_cache link, where the cf CLI finds Log Cache.
func (f *foundation) logCacheURL() string {
	root, err := f.cf.Root.Get(context.Background())
	Expect(err).NotTo(HaveOccurred())
	return root.Links.LogCache.Href
}

// logCacheGet sends a plain GET to Log Cache with go-cfclient's UAA token (its authenticated
// HTTP client), as the cf CLI's log-cache client does with its own; it returns the status and
// the body.
func (f *foundation) logCacheGet(path string, q url.Values) (int, string) {
	u := f.logCacheURL() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	Expect(err).NotTo(HaveOccurred())
	resp, err := f.cf.HTTPAuthClient().Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, string(body)
}

// readLogs reads an app's envelopes; it fails the spec unless Log Cache answers 200.
func (f *foundation) readLogs(appGUID string, q url.Values) []envelope {
	status, body := f.logCacheGet("/api/v1/read/"+appGUID, q)
	Expect(status).To(Equal(http.StatusOK), body)
	var rr struct {
		Envelopes struct {
			Batch []envelope `json:"batch"`
		} `json:"envelopes"`
	}
	Expect(json.Unmarshal([]byte(body), &rr)).To(Succeed())
	Expect(rr.Envelopes.Batch).NotTo(BeNil(), "the batch is [] when empty, never null")
	return rr.Envelopes.Batch
}

// recentLines reads as `cf logs --recent` does (the newest 1000 LOG envelopes, from the zero
// time) and returns the lines oldest first, as it prints them.
func (f *foundation) recentLines(appGUID string) []string {
	q := url.Values{"start_time": {timeParam(time.Time{})}, "envelope_types": {"LOG"},
		"limit": {"1000"}, "descending": {"true"}}
	envs := f.readLogs(appGUID, q)
	out := lines(envs)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// timeParam writes a time as go-log-cache does: Unix ns (the zero time overflows to a large
// negative number, which Log Cache accepts).
func timeParam(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// pushWithWorker pushes test/apps/versioned with a worker process beside web, both running
// the app, through go-cfclient as cf push would.
func (f *foundation) pushWithWorker(name string, env map[string]string) *resource.App {
	ctx := context.Background()
	m := cfpush.App{Name: name, Version: "v1", Env: env}.Manifest(f.info.Domain) +
		"  processes:\n  - type: worker\n    command: ./versioned\n    instances: 1\n    health-check-type: process\n"
	job, err := f.cf.Manifests.ApplyManifest(ctx, f.SpaceGUID, m)
	Expect(err).NotTo(HaveOccurred())
	Expect(f.cf.Jobs.PollComplete(ctx, job, fastPoll())).To(Succeed())
	app := f.appNamed(name)
	droplet := f.stage(app.GUID, appZip)
	_, err = f.cf.Droplets.SetCurrentAssociationForApp(ctx, app.GUID, droplet)
	Expect(err).NotTo(HaveOccurred())
	_, err = f.cf.Applications.Start(ctx, app.GUID)
	Expect(err).NotTo(HaveOccurred())
	return app
}

// containing keeps the lines that contain every one of parts.
func containing(all []string, parts ...string) []string {
	var out []string
	for _, l := range all {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}
