package resource

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/analysis"
)

// AnalysisParams judge the new version by what the routers measured of its requests, at each
// canary step and over the observation window: thresholds on its success rate and a latency
// percentile, absolute and relative to the old version.
//
//	analysis:
//	  interval: 10s       # each decision's window
//	  min_requests: 20    # fewer: the interval is left to the resource's probes
//	  success_rate: {min: 0.99, max_drop: 0.01}
//	  latency: {percentile: 95, max: 500ms, max_ratio: 2}
//
// Pointers tell a value left out from one given as 0, which is refused rather than read as
// "unset": max_drop 0 looks like "no worse than before" but would silently judge nothing.
type AnalysisParams struct {
	Interval    *Duration          `json:"interval,omitempty"`
	MinRequests *int               `json:"min_requests,omitempty"`
	SuccessRate *SuccessRateParams `json:"success_rate,omitempty"`
	Latency     *LatencyParams     `json:"latency,omitempty"`
}

// SuccessRateParams bound the new version's share of requests not answered with a 5xx.
type SuccessRateParams struct {
	Min     *float64 `json:"min,omitempty"`      // absolute: 0.99
	MaxDrop *float64 `json:"max_drop,omitempty"` // below the old version's share: 0.01 (one point)
}

// LatencyParams bound a percentile of the new version's request durations.
type LatencyParams struct {
	Percentile *float64  `json:"percentile,omitempty"` // 95 (the default) for p95
	Max        *Duration `json:"max,omitempty"`        // absolute: 500ms
	MaxRatio   *float64  `json:"max_ratio,omitempty"`  // times the old version's: 2
}

const analysisField = "params.analysis"

// The fields of each level of params.analysis, for an unknown one's refusal.
var (
	analysisKeys = []string{"interval", "min_requests", "success_rate", "latency"}
	metricKeys   = map[string][]string{"success_rate": {"min", "max_drop"}, "latency": {"percentile", "max", "max_ratio"}}
)

// fieldError is a decoding error that names its field in full already (describeJSONError
// passes it through as it is).
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

// UnmarshalJSON refuses unknown keys naming params.analysis and what it knows: the strict
// decoder's own refusal names neither the object nor the metrics it could have meant.
func (a *AnalysisParams) UnmarshalJSON(b []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err // a type error: the decoder names the field
	}
	if err := knownKeys(fields); err != nil {
		return err
	}
	type plain AnalysisParams // without this method
	return json.Unmarshal(b, (*plain)(a))
}

func knownKeys(fields map[string]json.RawMessage) error {
	for _, k := range sortedKeys(fields) {
		known, metric := metricKeys[k]
		switch {
		case !slices.Contains(analysisKeys, k):
			return &fieldError{fmt.Sprintf("%s: unknown metric %q: the metrics are success_rate and latency (besides interval and min_requests)", analysisField, k)}
		case !metric || string(fields[k]) == "null":
			continue
		}
		var sub map[string]json.RawMessage
		if err := json.Unmarshal(fields[k], &sub); err != nil {
			return withField(err, k)
		}
		for _, s := range sortedKeys(sub) {
			if !slices.Contains(known, s) {
				return &fieldError{fmt.Sprintf("%s.%s: unknown field %q (known: %s)", analysisField, k, s, strings.Join(known, ", "))}
			}
		}
	}
	return nil
}

// withField puts the metric's name on a type error, as the decoder does for nested fields.
func withField(err error, field string) error {
	if t, ok := err.(*json.UnmarshalTypeError); ok {
		t.Field = field
	}
	return err
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// validate checks the values, each against its range, and that something is judged.
func (a *AnalysisParams) validate() error {
	switch {
	case a.Interval != nil && (*a.Interval < Duration(time.Second) || *a.Interval%Duration(time.Second) != 0):
		return fmt.Errorf("%s.interval: whole seconds, at least 1s (Log Cache keeps seconds), got %s", analysisField, time.Duration(*a.Interval))
	case a.MinRequests != nil && *a.MinRequests < 1:
		return fmt.Errorf("%s.min_requests: must be 1 or more, got %d", analysisField, *a.MinRequests)
	case a.SuccessRate == nil && a.Latency == nil:
		return fmt.Errorf("%s: set at least one threshold (success_rate or latency)", analysisField)
	}
	if err := a.SuccessRate.validate(); err != nil {
		return err
	}
	return a.Latency.validate()
}

func (s *SuccessRateParams) validate() error {
	field := analysisField + ".success_rate"
	switch {
	case s == nil:
		return nil
	case s.Min == nil && s.MaxDrop == nil:
		return fmt.Errorf("%s: set min or max_drop", field)
	case s.Min != nil && !(*s.Min > 0 && *s.Min <= 1):
		return fmt.Errorf("%s.min: must be more than 0 and at most 1 (0.99 for 99%%), got %v", field, *s.Min)
	case s.MaxDrop != nil && !(*s.MaxDrop > 0 && *s.MaxDrop <= 1):
		return fmt.Errorf("%s.max_drop: must be more than 0 and at most 1 (0.01 for one point below the old version), got %v", field, *s.MaxDrop)
	}
	return nil
}

func (l *LatencyParams) validate() error {
	field := analysisField + ".latency"
	switch {
	case l == nil:
		return nil
	case l.Max == nil && l.MaxRatio == nil:
		return fmt.Errorf("%s: set max or max_ratio (percentile only says which latency they bound)", field)
	case l.Percentile != nil && !(*l.Percentile > 0 && *l.Percentile < 100):
		return fmt.Errorf("%s.percentile: must be more than 0 and less than 100 (95 for p95), got %v", field, *l.Percentile)
	case l.Max != nil && *l.Max == 0:
		return fmt.Errorf("%s.max: must be more than 0", field)
	case l.MaxRatio != nil && *l.MaxRatio < 1:
		return fmt.Errorf("%s.max_ratio: must be 1 or more (2 allows twice the old version's latency), got %v", field, *l.MaxRatio)
	}
	return nil
}

// validateAnalysis checks the analysis, and that the deploy gives it something to judge: each
// canary step is held for canary_pause, every strategy's observation window lasts
// observe.duration, and both must hold at least one whole interval.
func (p OutParams) validateAnalysis() error {
	if p.Analysis == nil {
		return nil
	}
	if err := p.Analysis.validate(); err != nil {
		return err
	}
	strategy, interval := p.StrategyOrDefault(), durOr(p.Analysis.Interval, analysis.DefaultInterval)
	switch {
	case p.Maintenance != nil:
		return fmt.Errorf("%s: judges a new version's requests: not with maintenance", analysisField)
	case p.Action == bluegreen.ActionCancel:
		return fmt.Errorf("%s: action cancel deploys nothing to judge", analysisField)
	case strategy == bluegreen.StrategyCanary && durOr(p.CanaryPause, 0) < interval:
		return fmt.Errorf("params.canary_pause: analysis judges each canary step over canary_pause: at least params.analysis.interval (%s), got %s",
			interval, durOr(p.CanaryPause, 0))
	case strategy != bluegreen.StrategyCanary && p.Observe == nil:
		return fmt.Errorf("params.observe: required with analysis and strategy %s, which has no canary step: analysis judges the observation window", strategy)
	case p.Observe != nil && time.Duration(p.Observe.Duration) < interval:
		return fmt.Errorf("params.observe.duration: analysis judges whole intervals: at least params.analysis.interval (%s), got %s",
			interval, time.Duration(p.Observe.Duration))
	}
	return nil
}

// analysisConfig is the engine's analysis settings, defaults filled in; nil without analysis.
// The params were validated.
func analysisConfig(a *AnalysisParams) *analysis.Config {
	if a == nil {
		return nil
	}
	cfg := analysis.Config{Interval: durOr(a.Interval, 0), MinRequests: intOr(a.MinRequests, 0)}
	if s := a.SuccessRate; s != nil {
		cfg.SuccessRate = analysis.SuccessRate{Min: floatOr(s.Min), MaxDrop: floatOr(s.MaxDrop)}
	}
	if l := a.Latency; l != nil {
		cfg.Latency = analysis.Latency{Percentile: floatOr(l.Percentile), Max: durOr(l.Max, 0), MaxRatio: floatOr(l.MaxRatio)}
	}
	cfg = cfg.WithDefaults()
	return &cfg
}

func floatOr(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
