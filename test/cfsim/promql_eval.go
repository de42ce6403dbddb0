package cfsim

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Evaluating the subset as Log Cache's engine (Prometheus 2's, over LogCacheQuerier.Select in
// log-cache-release src/internal/promql/promql.go) does, on the envelopes the simulator keeps.
// Times are Unix milliseconds, as in Prometheus.

// pqRaw is one envelope as a sample: its metric name and value, its labels (the envelope's tags
// plus source_id and instance_id) and its timestamp in ns.
type pqRaw struct {
	name   string
	value  float64
	labels map[string]string
	ts     int64
}

type pqPoint struct {
	t int64 // ms
	v float64
}

type pqSeries struct {
	labels map[string]string
	points []pqPoint
}

type pqSample struct {
	labels map[string]string
	t      int64
	v      float64
}

// pqValue is an expression's value: a scalar, an instant vector or (a bare range selector's)
// a matrix.
type pqValue struct {
	kind   string // scalar, vector or matrix
	scalar float64
	vector []pqSample
	matrix []pqSeries
}

// lookback is how far back an instant selector looks for a series' latest sample (Prometheus'
// default lookback delta).
const lookback = 5 * time.Minute

// pqEval evaluates expressions at given times. read returns a source's envelopes with
// from <= ts < to (ns); readEnd is the query's end, where Log Cache stops reading.
type pqEval struct {
	read    func(sourceID string, from, to int64) []pqRaw
	readEnd int64 // ms
}

func (ev *pqEval) eval(e pqExpr, t int64) (pqValue, error) {
	switch e := e.(type) {
	case pqNumber:
		return pqValue{kind: "scalar", scalar: float64(e)}, nil
	case *pqSelector:
		return ev.selector(e, t)
	case *pqCall:
		series, err := ev.series(e.arg, t, e.arg.rng)
		if err != nil {
			return pqValue{}, err
		}
		return pqValue{kind: "vector", vector: overTime(e.fn, series, t)}, nil
	case *pqAggregate:
		return ev.aggregate(e, t)
	case *pqBinary:
		return ev.binary(e, t)
	}
	return pqValue{}, fmt.Errorf("cannot evaluate %T", e)
}

// selector is a range selector's matrix, or an instant selector's vector: each series' latest
// sample within the lookback, at time t.
func (ev *pqEval) selector(sel *pqSelector, t int64) (pqValue, error) {
	if sel.rng > 0 {
		series, err := ev.series(sel, t, sel.rng)
		return pqValue{kind: "matrix", matrix: series}, err
	}
	series, err := ev.series(sel, t, lookback)
	if err != nil {
		return pqValue{}, err
	}
	out := []pqSample{}
	for _, s := range series {
		out = append(out, pqSample{labels: s.labels, t: t, v: s.points[len(s.points)-1].v})
	}
	return pqValue{kind: "vector", vector: out}, nil
}

// series reads the selector's sources from t-rng-1s to the query's end, as Select does, keeps
// the samples of its metric whose labels equal the matchers' values (whatever the operator:
// the hasLabels quirk), truncates their timestamps to the second, and groups those within
// [t-rng, t] by label set, sorted.
func (ev *pqEval) series(sel *pqSelector, t int64, rng time.Duration) ([]pqSeries, error) {
	if len(sel.sourceIDs) == 0 {
		return nil, fmt.Errorf("metric '%s' does not have a 'source_id' label", sel.name)
	}
	from := t - rng.Milliseconds()
	bySet := map[string]*pqSeries{}
	for _, id := range sel.sourceIDs {
		for _, r := range ev.read(id, (from-1000)*1e6, ev.readEnd*1e6) {
			ts := r.ts / 1e9 * 1000
			if r.name != sel.name || !hasLabels(r.labels, sel.matchers) || ts < from || ts > t {
				continue
			}
			labels := maps.Clone(r.labels)
			labels["__name__"] = r.name
			key := labelKey(labels)
			if bySet[key] == nil {
				bySet[key] = &pqSeries{labels: labels}
			}
			bySet[key].points = append(bySet[key].points, pqPoint{t: ts, v: r.value})
		}
	}
	out := make([]pqSeries, 0, len(bySet))
	for _, key := range sortedKeys(bySet) {
		out = append(out, *bySet[key])
	}
	return out, nil
}

func hasLabels(labels map[string]string, matchers []pqMatcher) bool {
	for _, m := range matchers {
		if v, ok := labels[m.label]; !ok || v != m.value {
			return false
		}
	}
	return true
}

// labelKey identifies a label set, written as PromQL prints one: {a="1", b="2"}.
func labelKey(labels map[string]string) string {
	parts := make([]string, 0, len(labels))
	for _, k := range sortedKeys(labels) {
		parts = append(parts, k+"="+strconv.Quote(labels[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func withoutName(labels map[string]string) map[string]string {
	out := maps.Clone(labels)
	delete(out, "__name__")
	return out
}

// overTime applies a *_over_time function to each series, dropping the metric name.
func overTime(fn string, series []pqSeries, t int64) []pqSample {
	out := []pqSample{}
	for _, s := range series {
		vs := make([]float64, len(s.points))
		for i, p := range s.points {
			vs[i] = p.v
		}
		out = append(out, pqSample{labels: withoutName(s.labels), t: t, v: reduce(strings.TrimSuffix(fn, "_over_time"), vs)})
	}
	return out
}

// reduce folds values with sum, count, max, min or avg.
func reduce(op string, vs []float64) float64 {
	acc := vs[0]
	for _, v := range vs[1:] {
		switch op {
		case "sum", "avg":
			acc += v
		case "max":
			acc = math.Max(acc, v)
		case "min":
			acc = math.Min(acc, v)
		}
	}
	switch op {
	case "count":
		return float64(len(vs))
	case "avg":
		return acc / float64(len(vs))
	}
	return acc
}

// quantile is Prometheus' φ-quantile: linear interpolation between the closest ranks.
func quantile(phi float64, vs []float64) float64 {
	switch {
	case len(vs) == 0 || math.IsNaN(phi):
		return math.NaN()
	case phi < 0:
		return math.Inf(-1)
	case phi > 1:
		return math.Inf(1)
	}
	sorted := slices.Clone(vs)
	sort.Float64s(sorted)
	rank := phi * float64(len(sorted)-1)
	lo := math.Floor(rank)
	hi := math.Min(lo+1, float64(len(sorted)-1))
	w := rank - lo
	return sorted[int(lo)]*(1-w) + sorted[int(hi)]*w
}

// aggregate groups the argument's samples by the by labels (all into one group without them).
func (ev *pqEval) aggregate(a *pqAggregate, t int64) (pqValue, error) {
	arg, err := ev.eval(a.arg, t)
	if err != nil {
		return pqValue{}, err
	}
	var phi float64
	if a.param != nil {
		p, err := ev.eval(a.param, t)
		if err != nil {
			return pqValue{}, err
		}
		phi = p.scalar
	}
	groups, values := map[string]map[string]string{}, map[string][]float64{}
	for _, s := range arg.vector {
		g := map[string]string{}
		for _, l := range a.by {
			if v, ok := s.labels[l]; ok {
				g[l] = v
			}
		}
		key := labelKey(g)
		groups[key], values[key] = g, append(values[key], s.v)
	}
	out := []pqSample{}
	for _, key := range sortedKeys(groups) {
		v := quantile(phi, values[key])
		if a.op != "quantile" {
			v = reduce(a.op, values[key])
		}
		out = append(out, pqSample{labels: groups[key], t: t, v: v})
	}
	return pqValue{kind: "vector", vector: out}, nil
}

// binary applies + - * / to two scalars, a vector and a scalar, or two vectors whose samples
// match one to one on their labels (without the metric name).
func (ev *pqEval) binary(b *pqBinary, t int64) (pqValue, error) {
	lhs, err := ev.eval(b.lhs, t)
	if err != nil {
		return pqValue{}, err
	}
	rhs, err := ev.eval(b.rhs, t)
	if err != nil {
		return pqValue{}, err
	}
	switch {
	case lhs.kind == "scalar" && rhs.kind == "scalar":
		return pqValue{kind: "scalar", scalar: arith(b.op, lhs.scalar, rhs.scalar)}, nil
	case rhs.kind == "scalar":
		return pqValue{kind: "vector", vector: withScalar(lhs.vector, func(v float64) float64 { return arith(b.op, v, rhs.scalar) })}, nil
	case lhs.kind == "scalar":
		return pqValue{kind: "vector", vector: withScalar(rhs.vector, func(v float64) float64 { return arith(b.op, lhs.scalar, v) })}, nil
	}
	out, err := matchVectors(b.op, lhs.vector, rhs.vector)
	return pqValue{kind: "vector", vector: out}, err
}

func arith(op string, a, b float64) float64 {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	}
	return a / b
}

func withScalar(in []pqSample, f func(float64) float64) []pqSample {
	out := []pqSample{}
	for _, s := range in {
		out = append(out, pqSample{labels: withoutName(s.labels), t: s.t, v: f(s.v)})
	}
	return out
}

func matchVectors(op string, lhs, rhs []pqSample) ([]pqSample, error) {
	right := map[string]pqSample{}
	for _, s := range rhs {
		key := labelKey(withoutName(s.labels))
		if _, dup := right[key]; dup {
			return nil, fmt.Errorf("found duplicate series for the match group %s on the right hand-side of the operation", key)
		}
		right[key] = s
	}
	out, seen := []pqSample{}, map[string]bool{}
	for _, s := range lhs {
		labels := withoutName(s.labels)
		key := labelKey(labels)
		r, ok := right[key]
		if !ok {
			continue
		}
		if seen[key] {
			return nil, fmt.Errorf("found duplicate series for the match group %s on the left hand-side of the operation", key)
		}
		seen[key] = true
		out = append(out, pqSample{labels: labels, t: s.t, v: arith(op, s.v, r.v)})
	}
	return out, nil
}
