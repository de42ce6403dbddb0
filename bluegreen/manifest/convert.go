package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// toNode turns a Go value given as a variable (typically decoded from Concourse's JSON) into
// a YAML node. It is ours rather than yaml.Node.Encode because that panics on types it cannot
// marshal (funcs, channels) and loops forever on a map that contains itself.
func toNode(v any, depth int) (*yaml.Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nests deeper than %d levels", maxDepth)
	}
	if n, ok := v.(json.Number); ok {
		return numberNode(string(n)), nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return scalar("!!null", "null"), nil
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Invalid:
		return scalar("!!null", "null"), nil
	case reflect.String:
		// The Cloud Controller reads YAML, which is UTF-8: refuse now rather than when rendering.
		if !utf8.ValidString(rv.String()) {
			return nil, errors.New("is not valid UTF-8 text")
		}
		return str(rv.String()), nil
	case reflect.Bool:
		return scalar("!!bool", strconv.FormatBool(rv.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return scalar("!!int", strconv.FormatInt(rv.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return scalar("!!int", strconv.FormatUint(rv.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return floatNode(rv.Float()), nil
	case reflect.Slice, reflect.Array:
		return seqNode(rv, depth)
	case reflect.Map:
		return mapNode(rv, depth)
	}
	return nil, fmt.Errorf("has unsupported type %s", rv.Type())
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}

// floatNode writes whole numbers as integers: JSON has only floats, and `instances: ((n))`
// with n = 3 must give the integer the Cloud Controller expects, not 3.0.
func floatNode(f float64) *yaml.Node {
	switch {
	case math.IsNaN(f):
		return scalar("!!float", ".nan")
	case math.IsInf(f, 1):
		return scalar("!!float", ".inf")
	case math.IsInf(f, -1):
		return scalar("!!float", "-.inf")
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return scalar("!!int", strconv.FormatInt(int64(f), 10))
	}
	return scalar("!!float", strconv.FormatFloat(f, 'g', -1, 64))
}

func numberNode(s string) *yaml.Node {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return scalar("!!int", s)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return floatNode(f)
	}
	return str(s)
}

func seqNode(rv reflect.Value, depth int) (*yaml.Node, error) {
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for i := range rv.Len() {
		c, err := toNode(rv.Index(i).Interface(), depth+1)
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, c)
	}
	return out, nil
}

// mapNode sorts the keys so the same vars always render the same manifest.
func mapNode(rv reflect.Value, depth int) (*yaml.Node, error) {
	keys := make([]string, 0, rv.Len())
	values := map[string]reflect.Value{}
	for it := rv.MapRange(); it.Next(); {
		k, err := mapKey(it.Key())
		if err != nil {
			return nil, err
		}
		if _, dup := values[k]; dup {
			return nil, fmt.Errorf("has two map keys that both read %q", k)
		}
		keys = append(keys, k)
		values[k] = it.Value()
	}
	slices.Sort(keys)
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, k := range keys {
		c, err := toNode(values[k].Interface(), depth+1)
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, str(k), c)
	}
	return out, nil
}

func mapKey(k reflect.Value) (string, error) {
	for k.Kind() == reflect.Interface && !k.IsNil() {
		k = k.Elem()
	}
	switch k.Kind() {
	case reflect.String:
		if !utf8.ValidString(k.String()) {
			return "", errors.New("has a map key that is not valid UTF-8 text")
		}
		return k.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(k.Uint(), 10), nil
	case reflect.Bool:
		return strconv.FormatBool(k.Bool()), nil
	}
	return "", fmt.Errorf("has a map key of unsupported type %s", k.Type())
}

// str is a string node that every YAML reader reads back as the same string. yaml.v3 quotes
// what YAML 1.2 would read as another type, but the Cloud Controller reads YAML 1.1, where
// yes/no/on/off are booleans and 1:30 is a number; quoting a string never changes it.
func str(s string) *yaml.Node {
	n := scalar("!!str", s)
	if ambiguousIn11(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func ambiguousIn11(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off":
		return true
	}
	return strings.Contains(s, ":") && strings.Trim(s, "0123456789_:.+-") == ""
}
