package manifest

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// reader reads typed fields of one mapping node, collecting a FieldError per bad field so a
// user sees every problem of an app at once.
type reader struct {
	node  *yaml.Node
	where string
	errs  problems
}

func (r *reader) fail(field, problem string) {
	r.errs = append(r.errs, &FieldError{Where: r.where, Field: field, Problem: problem})
}

// get walks nested maps (`docker`, `image`), nil when any part is absent.
func (r *reader) get(path ...string) *yaml.Node {
	n := r.node
	for i, key := range path {
		if i > 0 && n.Kind != yaml.MappingNode {
			r.fail(strings.Join(path[:i], "."), "must be a map")
			return nil
		}
		if n = mapValue(n, key); n == nil {
			return nil
		}
	}
	return n
}

func (r *reader) str(path ...string) string {
	if p := r.strPtr(path...); p != nil {
		return *p
	}
	return ""
}

// strPtr takes any scalar as its text (`name: 123` is the app "123"); null is "not set".
func (r *reader) strPtr(path ...string) *string {
	n := r.get(path...)
	switch {
	case n == nil || n.ShortTag() == "!!null":
		return nil
	case n.Kind != yaml.ScalarNode:
		r.fail(strings.Join(path, "."), "must be a string")
		return nil
	}
	v := n.Value
	return &v
}

// boolean accepts YAML 1.2 booleans and, like the cf CLI's YAML 1.1 parser and the Cloud
// Controller's, yes/no/on/off.
func (r *reader) boolean(key string) bool {
	n := r.get(key)
	if n == nil || n.ShortTag() == "!!null" {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "y", "on":
			return true
		case "false", "no", "n", "off":
			return false
		}
	}
	r.fail(key, "must be true or false")
	return false
}

func (r *reader) integer(key string, minimum int) *int {
	n := r.get(key)
	if n == nil || n.ShortTag() == "!!null" {
		return nil
	}
	v, ok := intValue(n)
	if !ok || v < minimum {
		problem := "must be a non-negative integer"
		if minimum > 0 {
			problem = "must be a positive integer"
		}
		r.fail(key, problem)
		return nil
	}
	return &v
}

// intValue reads a YAML integer (tagged !!int, so "3" in quotes is a string, as the Cloud
// Controller sees it) that fits a 32-bit int, the widest the Cloud Controller stores.
func intValue(n *yaml.Node) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 32)
	return int(v), err == nil
}

func (r *reader) size(key string) *int {
	n := r.get(key)
	if n == nil || n.ShortTag() == "!!null" {
		return nil
	}
	mb, ok := 0, false
	if n.Kind == yaml.ScalarNode {
		mb, ok = megabytes(n.Value)
	}
	if !ok {
		r.fail(key, "must be a whole number with a unit B, K, KB, M, MB, G, GB, T or TB (e.g. 256M, 1G)")
		return nil
	}
	return &mb
}

// Megabytes reads a size given as the Cloud Controller takes them (256M, 1G), in megabytes.
func Megabytes(s string) (int, bool) { return megabytes(s) }

// megabytes reads a size as the Cloud Controller does: digits then a unit, case-insensitive,
// in powers of 1024, rounded down to whole megabytes.
func megabytes(s string) (int, bool) {
	n, ok := sizeInBytes(s)
	if !ok || n>>20 > math.MaxInt32 {
		return 0, false
	}
	return int(n >> 20), true
}

// sizeInBytes reads digits then a unit (B, K, M, G, T, with or without B), case-insensitive,
// in powers of 1024.
func sizeInBytes(s string) (uint64, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	digits := strings.TrimRight(s, "BKMGT")
	shift, ok := unitShift(s[len(digits):])
	if !ok || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > math.MaxUint64>>shift {
		return 0, false
	}
	return n << shift, true
}

func unitShift(unit string) (uint, bool) {
	switch unit {
	case "B":
		return 0, true
	case "K", "KB":
		return 10, true
	case "M", "MB":
		return 20, true
	case "G", "GB":
		return 30, true
	case "T", "TB":
		return 40, true
	}
	return 0, false
}

// list returns a list field's entries; a field that is not a list is an error.
func (r *reader) list(key string) []*yaml.Node {
	n := r.get(key)
	switch {
	case n == nil || n.ShortTag() == "!!null":
		return nil
	case n.Kind != yaml.SequenceNode:
		r.fail(key, "must be a list")
		return nil
	}
	return n.Content
}

// logRate reads a log rate limit as the Cloud Controller does: -1 for unlimited, else a size
// with a unit (B, K, M, G, T, powers of 1024), in bytes per second.
func (r *reader) logRate(key string) *int {
	n := r.get(key)
	if n == nil || n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) == "-1" {
		unlimited := -1
		return &unlimited
	}
	if n.Kind == yaml.ScalarNode {
		if b, ok := bytesOf(n.Value); ok {
			return &b
		}
	}
	r.fail(key, "must be -1 or a whole number with a unit B, K, M, G or T (e.g. 16K)")
	return nil
}

// bytesOf is a size in bytes that fits CC's 32-bit field.
func bytesOf(s string) (int, bool) {
	n, ok := sizeInBytes(s)
	if !ok || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}
