package cfsim

import (
	"net/url"
	"slices"
	"strings"
)

// listParams are the query parameters every CC list message accepts, in CC's order.
var listParams = []string{"page", "per_page", "order_by", "created_ats", "updated_ats", "guids"}

// listQuery describes one list endpoint's query: its own parameters (after listParams) and
// the values its include and embed parameters accept.
type listQuery struct {
	params  []string
	include []string
	embed   []string
}

// check refuses what CC's list messages refuse with 400 CF-BadQueryParameter: unknown
// parameters (a modifier such as created_ats[gt] counts as its base name) and unknown or
// repeated include and embed values.
func (lq listQuery) check(q url.Values) *ccError {
	allowed := append(append([]string(nil), listParams...), lq.params...)
	var unknown []string
	for _, k := range sortedKeys(q) {
		name, _, _ := strings.Cut(k, "[")
		if !slices.Contains(allowed, name) && !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
	}
	var msgs []string
	if len(unknown) > 0 {
		msgs = append(msgs, "Unknown query parameter(s): '"+strings.Join(unknown, "', '")+
			"'. Valid parameters are: '"+strings.Join(allowed, "', '")+"'")
	}
	msgs = append(msgs, checkValues(listFilter(q, "include"), lq.include, "included")...)
	msgs = append(msgs, checkValues(listFilter(q, "embed"), lq.embed, "embedded")...)
	if len(msgs) > 0 {
		return errBadQuery(strings.Join(msgs, ", "))
	}
	return nil
}

func checkValues(values, valid []string, what string) []string {
	var msgs []string
	seen := map[string]int{}
	for _, v := range values {
		if !slices.Contains(valid, v) {
			msgs = append(msgs, "Invalid "+what+" resource: '"+v+"'. Valid "+what+" resources are: '"+strings.Join(valid, "', '")+"'")
			continue
		}
		if seen[v]++; seen[v] == 2 {
			msgs = append(msgs, "Duplicate "+what+" resource: '"+v+"'")
		}
	}
	return msgs
}
