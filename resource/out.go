package resource

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/candidate"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/maintenance"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/rollout"
)

// OutRequest is what Concourse sends to out on stdin.
type OutRequest struct {
	Source Source    `json:"source"`
	Params OutParams `json:"params"`
}

// Response is out's and in's answer on stdout.
type Response struct {
	Version  Version    `json:"version"`
	Metadata []Metadata `json:"metadata"`
}

// Version identifies what went live: strings only. A blue-green deploy makes a new app, a
// deployment a new revision; both change it.
type Version struct {
	AppGUID      string `json:"app_guid"`
	RevisionGUID string `json:"revision_guid"`
}

// Metadata is one name/value pair shown on the build page.
type Metadata struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Env reads the build's environment (os.Getenv in main).
type Env func(string) string

// Out runs the put step: decode and check everything, deploy, print the version.
func Out(ctx context.Context, stdin io.Reader, dir string, env Env, stdout, stderr io.Writer) error {
	var req OutRequest
	if err := decodeStrict(stdin, &req); err != nil {
		return err
	}
	if err := req.Source.Validate(); err != nil {
		return err
	}
	if err := req.Params.Validate(); err != nil {
		return err
	}
	plans, secrets, err := buildPlans(req, dir, env)
	if err != nil {
		return scrub(err, req.credentials(), append(secrets, secretValues(req.Params, dir, nil)...))
	}
	log := newRedactor(stderr, req.credentials(), secrets)
	timeline := bluegreen.NewTimeline(log)
	results, err := deploy(ctx, req, plans, timeline)
	if err != nil {
		return fmt.Errorf("%s", log.clean(nameField(err).Error()))
	}
	return json.NewEncoder(stdout).Encode(response(req, plans, results, timeline.Phases))
}

// response is the put's version and metadata: one app's, or a release's, whose version is
// source.app_name's app (the first without one), with every app's metadata named for it.
func response(req OutRequest, plans []putPlan, results []bluegreen.Result, phases []bluegreen.Phase) Response {
	primary := 0
	for i, plan := range plans {
		if plan.target.App == req.Source.AppName {
			primary = i
		}
	}
	res := results[primary]
	out := Response{Version: Version{AppGUID: res.AppGUID, RevisionGUID: revisionOrDroplet(res)}}
	if len(plans) == 1 {
		out.Metadata = outMetadata(res, plans[0], phases)
		return out
	}
	for i, plan := range plans {
		for _, md := range outMetadata(results[i], plan, nil) {
			out.Metadata = append(out.Metadata, Metadata{plan.target.App + " " + md.Name, md.Value})
		}
	}
	for _, p := range phases {
		out.Metadata = append(out.Metadata, Metadata{"phase " + p.Name, p.Duration.Round(time.Millisecond).String()})
	}
	return out
}

// credentials are the secrets the redactor hides whatever their length (3 characters on): the
// source's and the docker registry's password.
func (r OutRequest) credentials() []string {
	return append(r.Source.Secrets(), nonEmpty(r.Params.DockerPassword)...)
}

// nameField says which source field a foundation-side refusal is about.
func nameField(err error) error {
	switch {
	case errors.Is(err, platform.ErrNoOrg):
		return fmt.Errorf("source.organization: %w", err)
	case errors.Is(err, platform.ErrNoSpace):
		return fmt.Errorf("source.space: %w", err)
	case untrusted(err):
		return fmt.Errorf("source.ca_cert: the API's TLS certificate is not trusted: give its CA in source.ca_cert: %w", err)
	case errors.Is(err, platform.ErrLogin):
		return fmt.Errorf("source: check api and the credentials: %w", err)
	}
	return err
}

// untrusted reports a TLS certificate that no trusted CA signed.
func untrusted(err error) bool {
	var unknown x509.UnknownAuthorityError
	return errors.As(err, &unknown)
}

func revisionOrDroplet(res bluegreen.Result) string {
	if res.RevisionGUID != "" {
		return res.RevisionGUID
	}
	return "droplet-" + res.DropletGUID
}

func deploy(ctx context.Context, req OutRequest, plans []putPlan, timeline *bluegreen.Timeline) ([]bluegreen.Result, error) {
	if req.Source.SkipCertCheck { // before logging in, as check and in warn, whatever follows
		timeline.Fail(insecureWarning)
	}
	f, err := connect(ctx, req.Source)
	if err != nil && ctx.Err() != nil { // aborted (SIGTERM): say so rather than how the login was cut short
		return nil, fmt.Errorf("%w (%v) while logging in: nothing was changed", bluegreen.ErrAborted, context.Cause(ctx))
	}
	if err != nil {
		return nil, err
	}
	if len(plans) > 1 {
		return deployRelease(ctx, f, plans, timeline)
	}
	res, err := deployOne(ctx, f, plans[0], timeline)
	return []bluegreen.Result{res}, err
}

func deployOne(ctx context.Context, f bluegreen.Foundation, plan putPlan, timeline *bluegreen.Timeline) (bluegreen.Result, error) {
	switch {
	case plan.maintenance != nil:
		return maintenance.Switch(ctx, f.CC, f.Probe, *plan.maintenance, timeline)
	case plan.strategy == bluegreen.StrategyBlueGreen:
		return candidate.Deploy(ctx, f.CC, f.Probe, plan.blueGreen, timeline)
	}
	return rollout.Rollout(ctx, f.CC, f.Probe, plan.rollout, timeline)
}

func outMetadata(res bluegreen.Result, plan putPlan, phases []bluegreen.Phase) []Metadata {
	strategy := plan.strategy
	if res.Maintenance != "" {
		return maintenanceMetadata(res, phases)
	}
	md := []Metadata{
		{"app_name", res.AppName}, {"app_guid", res.AppGUID}, {"droplet_guid", res.DropletGUID},
		{"revision_guid", res.RevisionGUID}, {"strategy", string(strategy)}, {"routes", strings.Join(res.Routes, ", ")},
		{"rolled_back", strconv.FormatBool(res.RolledBack)},
	}
	if strategy == bluegreen.StrategyBlueGreen {
		md = append(md, Metadata{"previous_app_guid", res.PreviousGUID})
	} else {
		md = append(md, Metadata{"deployment_guid", res.DeploymentGUID}, Metadata{"deployment_status", res.Status},
			Metadata{"revision", strconv.Itoa(res.RevisionVersion)}, Metadata{"previous_revision", strconv.Itoa(res.PreviousRevision)},
			Metadata{"instances_replaced", strconv.Itoa(res.InstancesReplaced)})
	}
	for _, v := range res.Verified {
		md = append(md, Metadata{"verified " + v.Route, fmt.Sprintf("%d probes, %s", v.Probes, v.Elapsed.Round(time.Millisecond))})
	}
	if len(res.Healed) > 0 {
		md = append(md, Metadata{"healed", strings.Join(res.Healed, ", ")})
	}
	if m := res.Migration; m != nil {
		md = append(md, Metadata{"migration_task", m.Task}, Metadata{"migration_result", string(m.State)},
			Metadata{"migration_duration", m.Duration.Round(time.Millisecond).String()})
	}
	md = append(md, analysisMetadata(res.Analysis)...)
	if plan.droplet != nil {
		md = append(md, Metadata{"droplet_sha256", plan.droplet.SHA256})
	}
	if plan.image != "" {
		md = append(md, Metadata{"docker_image", plan.image})
	}
	for _, p := range phases {
		md = append(md, Metadata{"phase " + p.Name, p.Duration.Round(time.Millisecond).String()})
	}
	return md
}

func maintenanceMetadata(res bluegreen.Result, phases []bluegreen.Phase) []Metadata {
	md := []Metadata{{"app_name", res.AppName}, {"maintenance", res.Maintenance},
		{"routes_moved", strings.Join(res.Routes, ", ")}}
	for _, v := range res.Verified {
		md = append(md, Metadata{"switch_duration", v.Elapsed.Round(time.Millisecond).String()})
	}
	for _, p := range phases {
		md = append(md, Metadata{"phase " + p.Name, p.Duration.Round(time.Millisecond).String()})
	}
	return md
}

// analysisMetadata sums up what the routers' metrics judged (params.analysis): how the
// intervals went, and the last one's figures, which decided the deploy when it failed.
func analysisMetadata(ds []analysis.Decision) []Metadata {
	if len(ds) == 0 {
		return nil
	}
	count := map[analysis.Verdict]int{}
	for _, d := range ds {
		count[d.Verdict]++
	}
	return []Metadata{
		{"analysis", fmt.Sprintf("%d intervals: %d passed, %d decided by probes, %d failed",
			len(ds), count[analysis.Pass], count[analysis.Inconclusive], count[analysis.Fail])},
		{"analysis_last", ds[len(ds)-1].Line()},
	}
}
