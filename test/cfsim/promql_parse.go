package cfsim

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pqExpr is a parsed expression: *pqSelector, *pqCall, *pqAggregate, *pqBinary or pqNumber.
type pqExpr any

// pqSelector is `name{label="value",...}`, with a range when it is followed by [d].
type pqSelector struct {
	name      string
	sourceIDs []string    // from source_id="a" or source_id=~"a|b"; none means the selector has no source id
	matchers  []pqMatcher // the other labels' matchers
	rng       time.Duration
}

// pqMatcher is one label matcher. Log Cache compares every label but __name__ and source_id
// for exact equality whatever op says (promql.go hasLabels), and so does the simulator.
type pqMatcher struct{ label, op, value string }

// pqCall is one of the *_over_time functions applied to a range selector.
type pqCall struct {
	fn  string
	arg *pqSelector
}

// pqAggregate is sum, count, max, min, avg or quantile over an instant vector, by some labels.
type pqAggregate struct {
	op    string
	by    []string
	param pqExpr // quantile's φ
	arg   pqExpr
}

// pqBinary is lhs op rhs with op one of + - * /.
type pqBinary struct {
	op       string
	lhs, rhs pqExpr
}

type pqNumber float64

var (
	overTimeFuncs = []string{"count_over_time", "sum_over_time", "max_over_time", "min_over_time", "avg_over_time"}
	aggregations  = []string{"sum", "count", "max", "min", "avg", "quantile"}
)

type parser struct {
	toks []token
	i    int
}

// parsePromQL parses the subset; anything else is a *promqlError.
func parsePromQL(q string) (pqExpr, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t)
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) is(text string) bool {
	t := p.peek()
	return (t.kind == tokPunct || t.kind == tokIdent) && t.text == text
}

func (p *parser) expect(text string) error {
	t := p.next()
	if t.kind != tokEOF && t.kind != tokString && t.text == text {
		return nil
	}
	if err := unsupportedToken(t); err != nil {
		return err
	}
	return parseErrorf(t.pos, "expected %q, got %s", text, describe(t))
}

func (p *parser) unexpected(t token) error {
	if err := unsupportedToken(t); err != nil {
		return err
	}
	return parseErrorf(t.pos, "unexpected %s", describe(t))
}

// unsupportedToken names what t starts when it is PromQL the subset leaves out, else nil.
func unsupportedToken(t token) error {
	switch {
	case t.kind == tokPunct && slices.Contains([]string{"==", "!=", ">=", "<=", ">", "<", "%", "^"}, t.text):
		return unsupported("the operator " + t.text)
	case t.kind == tokPunct && t.text == "@", t.kind == tokIdent && t.text == "offset":
		return unsupported("the " + t.text + " modifier")
	case t.kind == tokIdent && slices.Contains([]string{"and", "or", "unless", "bool", "on", "ignoring",
		"group_left", "group_right", "without"}, t.text):
		return unsupported("the keyword " + t.text)
	case t.kind == tokDuration:
		return unsupported("a range or subquery after anything but a selector")
	}
	return nil
}

func describe(t token) string {
	if t.kind == tokEOF {
		return "end of input"
	}
	return strconv.Quote(t.text)
}

// expr is a sum of terms: + and - bind less than * and /, both left to right.
func (p *parser) expr() (pqExpr, error) {
	return p.binary([]string{"+", "-"}, func() (pqExpr, error) { return p.binary([]string{"*", "/"}, p.unary) })
}

func (p *parser) binary(ops []string, operand func() (pqExpr, error)) (pqExpr, error) {
	lhs, err := operand()
	for err == nil && p.peek().kind == tokPunct && slices.Contains(ops, p.peek().text) {
		op := p.next().text
		var rhs pqExpr
		if rhs, err = operand(); err == nil {
			lhs = &pqBinary{op: op, lhs: lhs, rhs: rhs}
		}
		if err == nil && (typeName(lhs.(*pqBinary).lhs) == "range vector" || typeName(rhs) == "range vector") {
			err = &promqlError{msg: "binary expression must contain only scalar and instant vector types"}
		}
	}
	return lhs, err
}

// unary is a primary expression, or a minus sign before a number.
func (p *parser) unary() (pqExpr, error) {
	if !p.is("-") {
		return p.primary()
	}
	p.next()
	if t := p.peek(); t.kind != tokNumber {
		return nil, unsupported("a minus sign before anything but a number")
	}
	n, _ := strconv.ParseFloat(p.next().text, 64)
	return pqNumber(-n), nil
}

func (p *parser) primary() (pqExpr, error) {
	t := p.peek()
	switch {
	case t.kind == tokNumber:
		p.next()
		n, _ := strconv.ParseFloat(t.text, 64)
		return pqNumber(n), nil
	case t.kind == tokPunct && t.text == "(":
		p.next()
		e, err := p.expr()
		if err == nil {
			err = p.expect(")")
		}
		return e, err
	case t.kind == tokPunct && t.text == "{":
		return p.selector("")
	case t.kind != tokIdent:
		return nil, p.unexpected(t)
	case slices.Contains(aggregations, t.text):
		return p.aggregate()
	case p.toks[p.i+1].kind == tokPunct && p.toks[p.i+1].text == "(":
		return p.call()
	}
	p.next()
	return p.selector(t.text)
}

// call parses one of the *_over_time functions.
func (p *parser) call() (pqExpr, error) {
	t := p.next()
	if !slices.Contains(overTimeFuncs, t.text) {
		return nil, unsupported("the function " + t.text)
	}
	p.next() // (
	arg, err := p.expr()
	if err == nil {
		err = p.expect(")")
	}
	if err != nil {
		return nil, err
	}
	sel, ok := arg.(*pqSelector)
	if !ok || sel.rng == 0 {
		return nil, parseErrorf(t.pos, "expected type range vector in call to function %q, got %s", t.text, typeName(arg))
	}
	return &pqCall{fn: t.text, arg: sel}, nil
}

// aggregate parses `op [by (l, ...)] ([φ,] expr) [by (l, ...)]`.
func (p *parser) aggregate() (pqExpr, error) {
	t := p.next()
	agg := &pqAggregate{op: t.text}
	err := p.grouping(agg)
	if err == nil {
		err = p.expect("(")
	}
	if err == nil && agg.op == "quantile" {
		if agg.param, err = p.expr(); err == nil {
			err = p.expect(",")
		}
	}
	if err == nil {
		agg.arg, err = p.expr()
	}
	if err == nil {
		err = p.expect(")")
	}
	if err == nil && agg.by == nil {
		err = p.grouping(agg)
	}
	if err == nil && typeName(agg.arg) != "instant vector" {
		err = parseErrorf(t.pos, "expected type instant vector in aggregation expression, got %s", typeName(agg.arg))
	}
	if err == nil && agg.param != nil && typeName(agg.param) != "scalar" {
		err = parseErrorf(t.pos, "expected type scalar in aggregation parameter, got %s", typeName(agg.param))
	}
	return agg, err
}

// grouping reads an optional `by (l, ...)` clause.
func (p *parser) grouping(agg *pqAggregate) error {
	if !p.is("by") {
		return nil
	}
	p.next()
	if err := p.expect("("); err != nil {
		return err
	}
	agg.by = []string{}
	for !p.is(")") {
		t := p.next()
		if t.kind != tokIdent {
			return parseErrorf(t.pos, "unexpected %s in grouping opts, expected label", describe(t))
		}
		agg.by = append(agg.by, t.text)
		if !p.is(")") {
			if err := p.expect(","); err != nil {
				return err
			}
		}
	}
	p.next()
	return nil
}

// typeName is the PromQL type of an expression, for error messages and checks.
func typeName(e pqExpr) string {
	switch e := e.(type) {
	case pqNumber:
		return "scalar"
	case *pqSelector:
		if e.rng > 0 {
			return "range vector"
		}
	case *pqBinary:
		if typeName(e.lhs) == "scalar" && typeName(e.rhs) == "scalar" {
			return "scalar"
		}
	}
	return "instant vector"
}

// selector parses `name{matchers}[range]`; the name was read already ("" when it starts at {).
func (p *parser) selector(name string) (pqExpr, error) {
	sel := &pqSelector{name: name}
	if p.is("{") {
		p.next()
		if err := p.matchers(sel); err != nil {
			return nil, err
		}
	}
	if sel.name == "" {
		return nil, parseErrorf(p.peek().pos, "vector selector must contain a metric name")
	}
	if t := p.peek(); t.kind == tokDuration {
		p.next()
		d, err := parseRange(t)
		if err != nil {
			return nil, err
		}
		sel.rng = d
	}
	return sel, nil
}

// matchers reads `label op "value", ...}`.
func (p *parser) matchers(sel *pqSelector) error {
	for !p.is("}") {
		l, op, v := p.next(), p.next(), p.next()
		if l.kind != tokIdent || op.kind != tokPunct || !slices.Contains([]string{"=", "!=", "=~", "!~"}, op.text) ||
			v.kind != tokString {
			return parseErrorf(l.pos, "bad label matcher, expected label=\"value\"")
		}
		sel.add(pqMatcher{label: l.text, op: op.text, value: v.text})
		if !p.is("}") {
			if err := p.expect(","); err != nil {
				return err
			}
		}
	}
	p.next()
	return nil
}

// add keeps a matcher as Log Cache's querier reads it: __name__ names the metric, source_id
// names the sources to read (=, or =~ with a |-separated list; != and !~ name none), and any
// other label is a matcher.
func (sel *pqSelector) add(m pqMatcher) {
	switch {
	case m.label == "__name__":
		sel.name = m.value
	case m.label == "source_id" && m.op == "=":
		sel.sourceIDs = append(sel.sourceIDs, m.value)
	case m.label == "source_id" && m.op == "=~":
		sel.sourceIDs = append(sel.sourceIDs, strings.Split(m.value, "|")...)
	case m.label != "source_id":
		sel.matchers = append(sel.matchers, m)
	}
}

var durationRE = regexp.MustCompile(`^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$`)

// parseRange reads a range's duration the way Prometheus writes them (1h30m, 5m, 30s, 500ms).
func parseRange(t token) (time.Duration, error) {
	if strings.Contains(t.text, ":") {
		return 0, unsupported("a subquery")
	}
	d, err := parsePromDuration(t.text)
	if err != nil || d <= 0 {
		return 0, parseErrorf(t.pos, "bad duration %q", t.text)
	}
	return d, nil
}

func parsePromDuration(s string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(s)
	if s == "" || m == nil {
		return 0, &promqlError{msg: "not a valid duration string: " + strconv.Quote(s)}
	}
	units := []time.Duration{365 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute,
		time.Second, time.Millisecond}
	var d time.Duration
	for i, unit := range units {
		if v := m[2*i+2]; v != "" {
			n, _ := strconv.Atoi(v)
			d += time.Duration(n) * unit
		}
	}
	return d, nil
}
