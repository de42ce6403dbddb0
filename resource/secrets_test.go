package resource

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("secrets", func() {
	It("counts every var as a possible secret: nested values and the vars files' values too", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "creds.yml"), []byte("db: {password: from-a-vars-file}\nlist: [in-a-list-item]\n"), 0o644)).To(Succeed())
		p := OutParams{
			Vars:                 map[string]any{"top": "a-top-level-value", "nested": map[string]any{"key": "a-nested-value"}},
			VarsFiles:            []string{"creds.yml"},
			EnvironmentVariables: map[string]string{"TOKEN": "an-env-value"},
		}
		Expect(secretValues(p, dir, nil)).To(ContainElements("a-top-level-value", "a-nested-value",
			"from-a-vars-file", "in-a-list-item", "an-env-value"))
	})

	It("hides credentials and values in an error about to be printed, and keeps other errors as they are", func() {
		err := scrub(errors.New("login as admin with hunter2-pw failed; var was a-long-secret-value"), []string{"hunter2-pw"}, []string{"a-long-secret-value"})
		Expect(err).To(MatchError("login as admin with *** failed; var was ***"))
		plain := errors.New("no secret here")
		Expect(scrub(plain, []string{"hunter2-pw"}, nil)).To(BeIdenticalTo(plain))
		Expect(scrub(nil, []string{"x"}, nil)).To(Succeed())
	})

	DescribeTable("check and in warn when certificates are not verified, before anything else",
		func(run func(req string, stderr *bytes.Buffer) error) {
			nowhere := httptest.NewServer(http.NotFoundHandler()) // discovery fails at once
			defer nowhere.Close()
			for _, skip := range []bool{true, false} {
				var stderr bytes.Buffer
				src := `{"api":"` + nowhere.URL + `","username":"u","password":"secret-pw","organization":"o","space":"s","app_name":"a","skip_cert_check":` +
					map[bool]string{true: "true", false: "false"}[skip] + `}`
				err := run(`{"source":`+src+`,"version":{"app_guid":"a","revision_guid":"r"}}`, &stderr)
				Expect(err).To(HaveOccurred(), "there is no Cloud Controller")
				Expect(err.Error()).NotTo(ContainSubstring("secret-pw"))
				if skip {
					Expect(strings.Split(stderr.String(), "\n")[0]).To(Equal(insecureWarning))
				} else {
					Expect(stderr.String()).NotTo(ContainSubstring("skip_cert_check"))
				}
			}
		},
		Entry("check", func(req string, stderr *bytes.Buffer) error {
			return Check(context.Background(), strings.NewReader(req), &bytes.Buffer{}, stderr)
		}),
		Entry("in", func(req string, stderr *bytes.Buffer) error {
			return In(context.Background(), strings.NewReader(req), GinkgoT().TempDir(), &bytes.Buffer{}, stderr)
		}),
	)

	It("out warns too, before it logs in, when certificates are not verified", func() {
		nowhere := httptest.NewServer(http.NotFoundHandler())
		defer nowhere.Close()
		inputs := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(inputs, "manifest.yml"), []byte("applications:\n- name: a\n"), 0o644)).To(Succeed())
		req := `{"source":{"api":"` + nowhere.URL + `","username":"u","password":"secret-pw","organization":"o","space":"s",` +
			`"skip_cert_check":true},"params":{"manifest":"manifest.yml"}}`
		var stderr bytes.Buffer
		err := Out(context.Background(), strings.NewReader(req), inputs, func(string) string { return "" }, &bytes.Buffer{}, &stderr)
		Expect(err).To(HaveOccurred(), "there is no Cloud Controller")
		Expect(stderr.String()).To(ContainSubstring(insecureWarning))
		Expect(stderr.String() + err.Error()).NotTo(ContainSubstring("secret-pw"))
	})
})
