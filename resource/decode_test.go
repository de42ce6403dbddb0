package resource

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const validRequest = `{"source":{"api":"https://api.example.com","username":"u","password":"p","organization":"o","space":"s"},
 "params":{"manifest":"m.yml"}}`

var _ = Describe("decoding a put request", func() {
	decode := func(body string) error {
		var req OutRequest
		if err := decodeStrict(strings.NewReader(body), &req); err != nil {
			return err
		}
		if err := req.Source.Validate(); err != nil {
			return err
		}
		return req.Params.Validate()
	}

	It("accepts a valid request", func() {
		Expect(decode(validRequest)).To(Succeed())
	})

	DescribeTable("names the field that is wrong",
		func(body, want string) {
			Expect(decode(body)).To(MatchError(ContainSubstring(want)))
		},
		Entry("malformed JSON", `{"source":`, "request: malformed JSON"),
		Entry("two JSON values", validRequest+`{}`, "more than one JSON value"),
		Entry("an unknown field", strings.Replace(validRequest, `"space":"s"`, `"space":"s","spaces":"x"`, 1), `unknown field "spaces"`),
		Entry("a number for a string", strings.Replace(validRequest, `"space":"s"`, `"space":5`, 1), "source.space: expected a string, got number"),
		Entry("a bad duration", strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml","drain":"soon"`, 1),
			`params.drain: expected a duration like 90s or 5m, got "soon"`),
		Entry("a list for a map", strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml","vars":[1]`, 1),
			"params.vars: expected an object"),
		Entry("a string for a list", strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml","vars_files":"v.yml"`, 1),
			"params.vars_files: expected a list"),
		Entry("a non-HTTP api", strings.Replace(validRequest, "https://api.example.com", "api.example.com", 1), "source.api"),
		Entry("an HTTP status that is not one", strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml","smoke_checks":[{"status":999}]`, 1),
			"params.smoke_checks[0].status: 999 is not an HTTP status"),
		Entry("an observation interval of 0s (a loop without a pause)", strings.Replace(validRequest, `"manifest":"m.yml"`,
			`"manifest":"m.yml","observe":{"duration":"1m","interval":"0s"}`, 1), "params.observe.interval: must be more than 0"),
		Entry("an unknown pace", strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml","strategy":"rolling","pace":"fast"`, 1),
			`params.pace: "fast" is not verified or capi`),
		Entry("a pace with bluegreen", strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml","pace":"capi"`, 1),
			"params.pace: only with strategy rolling"),
		Entry("a registry password with an action", strings.Replace(validRequest, `"manifest":"m.yml"`,
			`"manifest":"m.yml","action":"restart","docker_password":"pw"`, 1), "params.docker_password: only when deploying a docker image"),
		Entry("a registry password with maintenance", strings.Replace(validRequest, `"manifest":"m.yml"`,
			`"manifest":"m.yml","maintenance":{"state":"on"},"docker_password":"pw"`, 1), "params.docker_password: only when deploying a docker image"),
		Entry("a registry password that is not a string", strings.Replace(validRequest, `"manifest":"m.yml"`,
			`"manifest":"m.yml","docker_password":12345`, 1), "params.docker_password: expected a string, got number"),
		Entry("header_value without header", strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml","smoke_checks":[{"header_value":"x"}]`, 1),
			"params.smoke_checks[0].header_value: needs header"),
	)
})

var _ = Describe("paths from params", func() {
	var dir string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "a.yml"), nil, 0o644)).To(Succeed())
		Expect(os.Symlink("/etc/hostname", filepath.Join(dir, "link.yml"))).To(Succeed())
	})

	It("resolves a glob that matches one file", func() {
		Expect(inputPath("params.manifest", dir, "a*.yml")).To(Equal(filepath.Join(dir, "a.yml")))
	})

	It("refuses paths that leave the inputs folder, directly or through a symlink", func() {
		_, err := inputPath("params.manifest", dir, "../../etc/passwd")
		Expect(err).To(MatchError(ContainSubstring("leaves the inputs folder")))
		_, err = inputPath("params.manifest", dir, "/etc/passwd")
		Expect(err).To(MatchError(ContainSubstring("must be relative")))
		_, err = inputPath("params.manifest", dir, "link.yml")
		Expect(err).To(MatchError(ContainSubstring("points outside the inputs folder")))
	})

	It("refuses a path through a linked folder that leads out", func() {
		Expect(os.Symlink("/etc", filepath.Join(dir, "etc"))).To(Succeed())
		_, err := inputPath("params.vars_files[0]", dir, "etc/hostname")
		Expect(err).To(MatchError(ContainSubstring("points outside the inputs folder")))
	})

	It("holds the manifest's own app path to the same rule", func() {
		Expect(os.MkdirAll(filepath.Join(dir, "ci"), 0o755)).To(Succeed())
		for _, path := range []string{"../..", "/etc"} {
			Expect(os.WriteFile(filepath.Join(dir, "ci", "manifest.yml"), []byte("applications:\n- name: a\n  path: "+path+"\n"), 0o644)).To(Succeed())
			apps, err := loadManifest(OutParams{Manifest: "ci/manifest.yml"}, dir)
			Expect(err).NotTo(HaveOccurred())
			_, err = appSource(OutParams{}, dir, apps[0])
			Expect(err).To(MatchError(MatchRegexp(`^params.manifest: path "(\.\./)*(\.\.|etc)" leaves the inputs folder$`)), path)
		}
	})
})

var _ = Describe("the redactor", func() {
	It("hides credentials and long values, but not short words and numbers", func() {
		var buf bytes.Buffer
		r := newRedactor(&buf, []string{"pw1"}, []string{"start", "500", "a-long-secret-value"})
		_, err := r.Write([]byte("start pw1 500 a-long-secret-value\n"))
		Expect(err).NotTo(HaveOccurred())
		Expect(buf.String()).To(Equal("start *** 500 ***\n"))
	})
})
