package resource

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
)

var _ = Describe("the analysis param", func() {
	// put decodes a request whose params are validRequest's and these, as out does.
	put := func(params string) (OutParams, error) {
		var req OutRequest
		body := strings.Replace(validRequest, `"manifest":"m.yml"`, `"manifest":"m.yml",`+params, 1)
		if err := decodeStrict(strings.NewReader(body), &req); err != nil {
			return req.Params, err
		}
		return req.Params, req.Params.Validate()
	}
	const canary = `"strategy":"canary","canary_pause":"30s",`
	const full = `"analysis":{"interval":"10s","min_requests":20,"success_rate":{"min":0.99,"max_drop":0.01},` +
		`"latency":{"percentile":95,"max":"500ms","max_ratio":2}}`

	It("converts every setting into the engine's", func() {
		p, err := put(canary + full)
		Expect(err).NotTo(HaveOccurred())
		Expect(analysisConfig(p.Analysis)).To(Equal(&analysis.Config{Interval: 10 * time.Second, MinRequests: 20,
			SuccessRate: analysis.SuccessRate{Min: 0.99, MaxDrop: 0.01},
			Latency:     analysis.Latency{Percentile: 95, Max: 500 * time.Millisecond, MaxRatio: 2}}))
	})

	It("fills the defaults of what is left out: every 10s, 20 requests, p95", func() {
		p, err := put(canary + `"analysis":{"latency":{"max_ratio":1.5}}`)
		Expect(err).NotTo(HaveOccurred())
		Expect(analysisConfig(p.Analysis)).To(Equal(&analysis.Config{Interval: 10 * time.Second, MinRequests: 20,
			Latency: analysis.Latency{Percentile: 95, MaxRatio: 1.5}}))
	})

	It("is nothing without the param", func() {
		p, err := put(canary[:len(canary)-1])
		Expect(err).NotTo(HaveOccurred())
		Expect(analysisConfig(p.Analysis)).To(BeNil())
	})

	DescribeTable("judges the observation window of every strategy and each canary step",
		func(params string) {
			_, err := put(params)
			Expect(err).NotTo(HaveOccurred())
		},
		Entry("bluegreen with observe", `"observe":{"duration":"1m"},`+full),
		Entry("rolling with observe", `"strategy":"rolling","observe":{"duration":"30s"},`+full),
		Entry("paced rolling with observe", `"strategy":"rolling","pace":"capi","observe":{"duration":"30s"},`+full),
		Entry("canary held for whole intervals", canary+full),
		Entry("canary with observe too", canary+`"observe":{"duration":"10s"},`+full),
		Entry("a restart as a canary", `"action":"restart",`+canary+full),
		Entry("a one-second interval", canary+`"analysis":{"interval":"1s","success_rate":{"min":1}}`),
	)

	DescribeTable("refuses a bad analysis in one line naming the field",
		func(params, want string) {
			_, err := put(params)
			Expect(err).To(MatchError(want))
		},
		Entry("a minimum above 1", canary+`"analysis":{"success_rate":{"min":1.5}}`,
			"params.analysis.success_rate.min: must be more than 0 and at most 1 (0.99 for 99%), got 1.5"),
		Entry("a minimum of 0, which judges nothing", canary+`"analysis":{"success_rate":{"min":0}}`,
			"params.analysis.success_rate.min: must be more than 0 and at most 1 (0.99 for 99%), got 0"),
		Entry("a drop given as a percentage", canary+`"analysis":{"success_rate":{"max_drop":5}}`,
			"params.analysis.success_rate.max_drop: must be more than 0 and at most 1 (0.01 for one point below the old version), got 5"),
		Entry("a drop of 0, which would silently judge nothing", canary+`"analysis":{"success_rate":{"max_drop":0}}`,
			"params.analysis.success_rate.max_drop: must be more than 0 and at most 1 (0.01 for one point below the old version), got 0"),
		Entry("a success rate without a threshold", canary+`"analysis":{"success_rate":{}}`,
			"params.analysis.success_rate: set min or max_drop"),
		Entry("a percentile of 100", canary+`"analysis":{"latency":{"percentile":100,"max":"1s"}}`,
			"params.analysis.latency.percentile: must be more than 0 and less than 100 (95 for p95), got 100"),
		Entry("a negative percentile", canary+`"analysis":{"latency":{"percentile":-1,"max":"1s"}}`,
			"params.analysis.latency.percentile: must be more than 0 and less than 100 (95 for p95), got -1"),
		Entry("a percentile without a threshold", canary+`"analysis":{"latency":{"percentile":99}}`,
			"params.analysis.latency: set max or max_ratio (percentile only says which latency they bound)"),
		Entry("a latency maximum of 0", canary+`"analysis":{"latency":{"max":"0s"}}`,
			"params.analysis.latency.max: must be more than 0"),
		Entry("a latency maximum that is no duration", canary+`"analysis":{"latency":{"max":500}}`,
			"params.analysis.latency.max: expected a duration like 90s or 5m, got 500"),
		Entry("a ratio below 1", canary+`"analysis":{"latency":{"max_ratio":0.5}}`,
			"params.analysis.latency.max_ratio: must be 1 or more (2 allows twice the old version's latency), got 0.5"),
		Entry("no threshold at all", canary+`"analysis":{"interval":"10s"}`,
			"params.analysis: set at least one threshold (success_rate or latency)"),
		Entry("an interval under a second", canary+`"analysis":{"interval":"500ms","success_rate":{"min":0.99}}`,
			"params.analysis.interval: whole seconds, at least 1s (Log Cache keeps seconds), got 500ms"),
		Entry("an interval of part seconds", canary+`"analysis":{"interval":"1500ms","success_rate":{"min":0.99}}`,
			"params.analysis.interval: whole seconds, at least 1s (Log Cache keeps seconds), got 1.5s"),
		Entry("a minimum of no requests", canary+`"analysis":{"min_requests":0,"success_rate":{"min":0.99}}`,
			"params.analysis.min_requests: must be 1 or more, got 0"),
		Entry("a threshold that is not a number", canary+`"analysis":{"success_rate":{"min":"99%"}}`,
			"params.analysis.success_rate.min: expected a number, got string"),
		Entry("a metric that is not an object", canary+`"analysis":{"latency":"500ms"}`,
			"params.analysis.latency: expected an object, got string"),
		Entry("an analysis that is not an object", canary+`"analysis":true`,
			"params.analysis: expected an object, got bool"),
	)

	DescribeTable("refuses an unknown key naming params.analysis and what it knows",
		func(analysisJSON, want string) {
			_, err := put(canary + `"analysis":` + analysisJSON)
			Expect(err).To(MatchError(want))
		},
		Entry("an unknown metric", `{"errors":{"max":0.01}}`,
			`params.analysis: unknown metric "errors": the metrics are success_rate and latency (besides interval and min_requests)`),
		Entry("an unknown metric beside known ones", `{"success_rate":{"min":0.99},"p95":"1s"}`,
			`params.analysis: unknown metric "p95": the metrics are success_rate and latency (besides interval and min_requests)`),
		Entry("an unknown success rate threshold", `{"success_rate":{"minimum":0.99}}`,
			`params.analysis.success_rate: unknown field "minimum" (known: min, max_drop)`),
		Entry("an unknown latency threshold", `{"latency":{"p99":"1s"}}`,
			`params.analysis.latency: unknown field "p99" (known: percentile, max, max_ratio)`),
	)

	DescribeTable("refuses an analysis the deploy gives nothing to judge",
		func(params, want string) {
			_, err := put(params)
			Expect(err).To(MatchError(want))
		},
		Entry("bluegreen without observe", full,
			"params.observe: required with analysis and strategy bluegreen, which has no canary step: analysis judges the observation window"),
		Entry("rolling without observe", `"strategy":"rolling",`+full,
			"params.observe: required with analysis and strategy rolling, which has no canary step: analysis judges the observation window"),
		Entry("canary steps not held", `"strategy":"canary","canary_steps":[10,50],`+full,
			"params.canary_pause: analysis judges each canary step over canary_pause: at least params.analysis.interval (10s), got 0s"),
		Entry("canary steps held shorter than an interval", `"strategy":"canary","canary_pause":"20s","analysis":{"interval":"30s","latency":{"max":"1s"}}`,
			"params.canary_pause: analysis judges each canary step over canary_pause: at least params.analysis.interval (30s), got 20s"),
		Entry("an observation window shorter than an interval", `"observe":{"duration":"5s"},`+full,
			"params.observe.duration: analysis judges whole intervals: at least params.analysis.interval (10s), got 5s"),
		Entry("maintenance", `"maintenance":{"state":"on"},`+full,
			"params.analysis: judges a new version's requests: not with maintenance"),
		Entry("action cancel", `"action":"cancel","strategy":"rolling","observe":{"duration":"1m"},`+full,
			"params.analysis: action cancel deploys nothing to judge"),
	)
})
