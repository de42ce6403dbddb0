package integration_test

import (
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("out: bad input", func() {
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.write("other.yml", "applications:\n- name: other\n")
		w.write("broken.yml", "applications:\n- name: x\n  memory: [\n")
		w.write("two.yml", "applications:\n- name: a\n- name: b\n")
		w.write("badmem.yml", "applications:\n- name: myapp\n  memory: 12XB\n  path: app\n")
		w.write("docker.yml", "applications:\n- name: myapp\n  docker: {image: registry.example.com/team/versioned:v1, username: ci-bot}\n")
		w.write("docker-path.yml", "applications:\n- name: myapp\n  path: app\n  docker: {image: registry.example.com/team/versioned:v1}\n")
		w.sim.ResetRequests()
	})

	// mutate changes the valid request before it is sent.
	type mutate func(req map[string]any)
	src := func(k string, v any) mutate {
		return func(r map[string]any) {
			if v == nil {
				delete(r["source"].(map[string]any), k)
			} else {
				r["source"].(map[string]any)[k] = v
			}
		}
	}
	par := func(k string, v any) mutate {
		return func(r map[string]any) {
			if v == nil {
				delete(r["params"].(map[string]any), k)
			} else {
				r["params"].(map[string]any)[k] = v
			}
		}
	}

	expectRefused := func(r run, field string) {
		Expect(r.code).NotTo(Equal(0))
		Expect(r.stdout).To(BeEmpty())
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		Expect(lines).To(HaveLen(1), "one clear error line, got:\n%s", r.stderr)
		Expect(lines[0]).To(ContainSubstring(field))
		Expect(r.stderr).NotTo(ContainSubstring(w.info.Password))
		for _, req := range w.sim.Requests() {
			Expect(req.Mutating()).To(BeFalse(), "bad input changed the foundation: %s %s", req.Method, req.Path)
		}
	}

	DescribeTable("refuses it with one line naming the field, and changes nothing",
		func(field string, changes ...mutate) {
			req := w.request("v1", nil)
			for _, c := range changes {
				c(req)
			}
			expectRefused(w.out(req), field)
		},
		Entry("an unknown source field", `unknown field "apii"`, src("apii", "x")),
		Entry("an unknown params field", `unknown field "manifests"`, par("manifests", "x")),
		Entry("source.api of the wrong type", "source.api: expected a string", src("api", 42)),
		Entry("source.api missing", "source.api: required", src("api", nil)),
		Entry("source.api not a URL", "source.api:", src("api", "ftp:/nowhere")),
		Entry("no credentials", "source: credentials required", src("username", nil), src("password", nil)),
		Entry("a username without a password", "source.password: required", src("password", nil)),
		Entry("both kinds of credentials", "not both", src("client_id", "id"), src("client_secret", "s")),
		Entry("source.organization missing", "source.organization: required", src("organization", nil)),
		Entry("source.space missing", "source.space: required", src("space", nil)),
		Entry("source.ca_cert not PEM", "source.ca_cert: not a PEM certificate", src("ca_cert", "hello")),
		Entry("a bad router URL", "source.router_urls[1]", src("router_urls", []any{"http://127.0.0.1:1", "nope"})),
		Entry("skip_cert_check not a boolean", "source.skip_cert_check: expected true or false", src("skip_cert_check", "yes")),
		Entry("params.manifest missing", "params.manifest: required", par("manifest", nil)),
		Entry("a manifest glob matching nothing", "params.manifest: \"nothing*.yml\" matches nothing", par("manifest", "nothing*.yml")),
		Entry("a manifest glob matching several", "matches 2 paths (other.yml, two.yml)", par("manifest", "[ot]*.yml")),
		Entry("a manifest outside the inputs", "params.manifest: \"../x.yml\" leaves the inputs folder", par("manifest", "../x.yml")),
		Entry("a manifest that is not YAML", "params.manifest:", par("manifest", "broken.yml")),
		Entry("a manifest with a bad memory unit", "memory", par("manifest", "badmem.yml")),
		Entry("a missing var", "Expected to find variables: version", par("vars", map[string]any{})),
		Entry("a missing vars file", "params.vars_files[0]", par("vars_files", []any{"nope.yml"})),
		Entry("an apps entry the manifest does not hold", `params.apps[1]: app "ghost" is not in the manifest`, par("manifest", "two.yml"),
			par("apps", []string{"a", "ghost"})),
		Entry("apps and app_name both", "params.apps: set either app_name", par("apps", []string{"myapp"}), par("app_name", "myapp")),
		Entry("a path for a release of several apps", "params.path: the manifest releases a, b", par("manifest", "two.yml"), par("path", "app")),
		Entry("a migration naming no app of a release", "params.migration.app", par("manifest", "two.yml"),
			par("migration", map[string]any{"command": "./migrate"})),
		Entry("an unknown app_name", "params.app_name", par("app_name", "ghost")),
		Entry("an unknown strategy", "params.strategy: \"blue\"", par("strategy", "blue")),
		Entry("a negative keep_previous", "params.keep_previous: must be 0 or more", par("keep_previous", -1)),
		Entry("a negative timeout", "params.staging_timeout: expected a duration like 90s or 5m", par("staging_timeout", "-5s")),
		Entry("a timeout as a number", "params.timeout: expected a duration like 90s or 5m", par("timeout", 300)),
		Entry("a zero verify_timeout", "params.verify_timeout: must be more than 0", par("verify_timeout", "0s")),
		Entry("a path matching nothing", "params.path", par("path", "missing-dir")),
		Entry("a reserved env var", "params.environment_variables", par("environment_variables", map[string]any{"VCAP_APPLICATION": "x"})),
		Entry("env values that are not strings", "params.environment_variables", par("environment_variables", map[string]any{"N": 3})),
		Entry("a smoke check path without a slash", "params.smoke_checks[0].path", par("smoke_checks", []any{map[string]any{"path": "health"}})),
		Entry("an observation without duration", "params.observe.duration", par("observe", map[string]any{"path": "/"})),
		Entry("an observation interval of 0s, a loop without a pause", "params.observe.interval: must be more than 0",
			par("observe", map[string]any{"duration": "1m", "interval": "0s"})),
		Entry("a bad temporary route", "params.temporary_route", par("temporary_route", "Not_A_Host")),
		Entry("an unknown organization", "organization \"nope\"", src("organization", "nope")),
		Entry("a wrong password", "log in to", src("password", "wrong-password")),

		Entry("max_in_flight of 0", "params.max_in_flight: must be 1 or more", par("strategy", "rolling"), par("max_in_flight", 0)),
		Entry("max_in_flight with bluegreen", "params.max_in_flight: only with strategy rolling or canary", par("max_in_flight", 2)),
		Entry("max_in_flight as a string", "params.max_in_flight: expected a number", par("strategy", "rolling"), par("max_in_flight", "2")),
		Entry("an unknown pace", "params.pace: \"fast\" is not verified or capi", par("strategy", "rolling"), par("pace", "fast")),
		Entry("pace with canary", "params.pace: only with strategy rolling", par("strategy", "canary"), par("pace", "capi")),
		Entry("smoke checks with pace capi", "params.smoke_checks: with pace capi nothing runs before CAPI gives new instances live traffic",
			par("strategy", "rolling"), par("pace", "capi"), par("smoke_checks", []any{map[string]any{"path": "/"}})),
		Entry("canary_steps with rolling", "params.canary_steps: only with strategy canary", par("strategy", "rolling"), par("canary_steps", []any{50})),
		Entry("a canary step of 0", "params.canary_steps[0]: 0", par("strategy", "canary"), par("canary_steps", []any{0, 100})),
		Entry("canary steps out of order", "params.canary_steps[1]: 25", par("strategy", "canary"), par("canary_steps", []any{50, 25})),
		Entry("a canary step over 100", "params.canary_steps[0]: 150", par("strategy", "canary"), par("canary_steps", []any{150})),
		Entry("canary_pause with rolling", "params.canary_pause: only with strategy canary", par("strategy", "rolling"), par("canary_pause", "10s")),
		Entry("a bad canary_pause", "params.canary_pause: expected a duration", par("strategy", "canary"), par("canary_pause", "a while")),
		Entry("an unknown action", "params.action: \"redeploy\"", par("action", "redeploy")),
		Entry("an action with bluegreen", "params.action: restart uses a CAPI deployment", par("strategy", "bluegreen"), par("action", "restart")),
		Entry("an action without manifest or app_name", "params.app_name: required for action cancel", par("manifest", nil), par("action", "cancel")),
		Entry("a revision without rollback", "params.revision", par("strategy", "rolling"), par("revision", 2)),
		Entry("a revision of 0", "params.revision", par("action", "rollback"), par("revision", 0)),
		Entry("an unknown on_active_deployment", "params.on_active_deployment: \"ignore\"", par("strategy", "rolling"), par("on_active_deployment", "ignore")),
		Entry("a droplet and a path", "params.droplet: deploys droplet bits instead of path", par("droplet", "d.tgz"), par("path", "app")),
		Entry("a droplet matching nothing", "params.droplet: \"nothing.tgz\" matches nothing", par("droplet", "nothing.tgz")),
		Entry("a droplet with an action", "params.droplet:", par("droplet", "d.tgz"), par("action", "restart")),
		Entry("a maintenance state that is not on or off", "params.maintenance.state: \"maybe\"", par("maintenance", map[string]any{"state": "maybe"})),
		Entry("an unknown maintenance responder scope", "params.maintenance.responder: \"org\"", par("maintenance", map[string]any{"state": "on", "responder": "org"})),
		Entry("a maintenance status that is not HTTP", "params.maintenance.status: 999", par("maintenance", map[string]any{"state": "on", "status": 999})),
		Entry("a negative retry_after", "params.maintenance.retry_after", par("maintenance", map[string]any{"state": "on", "retry_after": -5})),
		Entry("maintenance with a strategy", "params.maintenance: switches routes only", par("strategy", "rolling"), par("maintenance", map[string]any{"state": "on"})),
		Entry("a maintenance page that is missing", "params.maintenance.page", par("maintenance", map[string]any{"state": "on", "page": "nope.html"})),
		Entry("an unknown maintenance field", `unknown field "colour"`, par("maintenance", map[string]any{"state": "on", "colour": "red"})),
		Entry("docker with a path in the manifest", `params.manifest: app "myapp" has both docker.image and path`, par("manifest", "docker-path.yml")),
		Entry("docker with params.path", `params.path: app "myapp" is a docker image`,
			par("manifest", "docker.yml"), par("path", "app"), par("docker_password", "registry-pw")),
		Entry("a registry password for a buildpack app", `params.docker_password: app "myapp" is not a docker image app`,
			par("docker_password", "registry-pw")),
		Entry("docker.username without docker_password", "params.docker_password: required", par("manifest", "docker.yml")),
		Entry("a registry password with an action", "params.docker_password: only when deploying a docker image",
			par("action", "restart"), par("docker_password", "registry-pw")),
		Entry("a droplet to promote for a docker app", "params.droplet: app \"myapp\" is a docker image (docker.image in the manifest): there is no droplet to move",
			par("manifest", "docker.yml"), par("droplet", "d.tgz"), par("docker_password", "registry-pw")),
		Entry("on_active_deployment with bluegreen", "params.on_active_deployment: only with strategy rolling or canary", par("on_active_deployment", "wait")),
	)

	It("refuses malformed JSON, an empty request and unknown top-level fields", func() {
		expectRefused(w.outRaw(`{"source": {`), "request: malformed JSON")
		expectRefused(w.outRaw(""), "request: empty")
		body, _ := json.Marshal(map[string]any{"source": map[string]any{}, "params": map[string]any{}, "version": map[string]any{}})
		expectRefused(w.outRaw(string(body)), `unknown field "version"`)
	})
})
