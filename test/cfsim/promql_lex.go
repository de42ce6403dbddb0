package cfsim

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The PromQL subset Log Cache's engine is asked for by the project and its tests
// (docs/platform/logs-and-metrics.md#promql): vector and range selectors, the *_over_time
// functions, the sum/count/max/min/avg/quantile aggregations and + - * / between numbers and
// vectors. This file cuts a query into tokens; promql_parse.go builds the expression.

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokNumber
	tokString
	tokDuration // the text between [ and ], a duration or a subquery
	tokPunct    // ( ) { } , and the operators
)

type token struct {
	kind tokenKind
	text string // the identifier, the operator, the unquoted string, the number's or duration's text
	pos  int    // byte offset in the query, for error messages
}

// promqlError is a query the simulator refuses before evaluating it: a parse error or
// something outside the subset. Both are the proxy's 400 bad_data.
type promqlError struct{ msg string }

func (e *promqlError) Error() string { return e.msg }

func parseErrorf(pos int, format string, args ...any) error {
	return &promqlError{msg: fmt.Sprintf("parse error at char %d: ", pos+1) + fmt.Sprintf(format, args...)}
}

func unsupported(what string) error {
	return &promqlError{msg: "cfsim's PromQL supports only a subset of PromQL: " + what + " is not supported"}
}

// operators, longest first so "!=" wins over "!".
var operators = []string{"=~", "!~", "!=", "==", ">=", "<=", "(", ")", "{", "}", ",", "=", "+", "-", "*", "/",
	"%", "^", ">", "<", "@", ":"}

func lex(q string) ([]token, error) {
	var toks []token
	for i := 0; i < len(q); {
		c := rune(q[i])
		switch {
		case unicode.IsSpace(c):
			i++
			continue
		case c == '#':
			return nil, unsupported("a comment")
		}
		t, n, err := lexOne(q, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i += n
	}
	return append(toks, token{kind: tokEOF, pos: len(q)}), nil
}

// lexOne reads the token at q[i:] and returns it with its length.
func lexOne(q string, i int) (token, int, error) {
	c := q[i]
	switch {
	case isIdentStart(c):
		n := 1
		for i+n < len(q) && isIdentPart(q[i+n]) {
			n++
		}
		return token{tokIdent, q[i : i+n], i}, n, nil
	case c >= '0' && c <= '9' || c == '.':
		return lexNumber(q, i)
	case c == '"' || c == '\'' || c == '`':
		return lexString(q, i)
	case c == '[':
		end := strings.IndexByte(q[i:], ']')
		if end < 0 {
			return token{}, 0, parseErrorf(i, "unclosed left bracket")
		}
		return token{tokDuration, strings.TrimSpace(q[i+1 : i+end]), i}, end + 1, nil
	}
	for _, op := range operators {
		if strings.HasPrefix(q[i:], op) {
			return token{tokPunct, op, i}, len(op), nil
		}
	}
	return token{}, 0, parseErrorf(i, "unexpected character %q", c)
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// lexNumber reads a decimal number with an optional fraction and exponent.
func lexNumber(q string, i int) (token, int, error) {
	n := 0
	for i+n < len(q) && strings.IndexByte("0123456789.eE", q[i+n]) >= 0 {
		if (q[i+n] == 'e' || q[i+n] == 'E') && i+n+1 < len(q) && (q[i+n+1] == '+' || q[i+n+1] == '-') {
			n++
		}
		n++
	}
	text := q[i : i+n]
	if _, err := strconv.ParseFloat(text, 64); err != nil {
		return token{}, 0, parseErrorf(i, "bad number %q", text)
	}
	return token{tokNumber, text, i}, n, nil
}

// lexString reads a string in double quotes (Go escapes), single quotes or backticks (raw).
func lexString(q string, i int) (token, int, error) {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		switch {
		case q[j] == '\\' && quote != '`':
			j++
		case q[j] == quote:
			raw := q[i : j+1]
			if quote == '\'' {
				raw = `"` + strings.ReplaceAll(raw[1:len(raw)-1], `"`, `\"`) + `"`
			}
			s, err := strconv.Unquote(raw)
			if err != nil {
				return token{}, 0, parseErrorf(i, "bad string %s", q[i:j+1])
			}
			return token{tokString, s, i}, j + 1 - i, nil
		}
	}
	return token{}, 0, parseErrorf(i, "unterminated quoted string")
}
