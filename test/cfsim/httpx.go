package cfsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ccError is one entry of CC's error body: {"errors":[{"detail","title","code"}]}.
type ccError struct {
	Status int    `json:"-"`
	Detail string `json:"detail"`
	Title  string `json:"title"`
	Code   int    `json:"code"`
}

func (e *ccError) Error() string { return fmt.Sprintf("%s(%d): %s", e.Title, e.Code, e.Detail) }

// Constructors for the CC errors the simulator raises
// (docs/platform/cloud-controller.md#error-codes).
func errNotFound(resource string) *ccError {
	return &ccError{http.StatusNotFound, resource + " not found", "CF-ResourceNotFound", 10010}
}
func errUnprocessable(detail string) *ccError {
	return &ccError{http.StatusUnprocessableEntity, detail, "CF-UnprocessableEntity", 10008}
}
func errUniqueness(detail string) *ccError {
	return &ccError{http.StatusUnprocessableEntity, detail, "CF-UniquenessError", 10016}
}
func errBadRequest(detail string) *ccError {
	return &ccError{http.StatusBadRequest, "Bad request: " + detail, "CF-BadRequest", 1004}
}
func errParse() *ccError {
	return &ccError{http.StatusBadRequest, "Request invalid due to parse error: invalid request body", "CF-MessageParseError", 1001}
}
func errBadQuery(detail string) *ccError {
	return &ccError{http.StatusBadRequest, "The query parameter is invalid: " + detail, "CF-BadQueryParameter", 10005}
}
func errUnknownRequest() *ccError {
	return &ccError{http.StatusNotFound, "Unknown request", "CF-NotFound", 10000}
}
func errNotAuthenticated() *ccError {
	return &ccError{http.StatusUnauthorized, "Authentication error", "CF-NotAuthenticated", 10002}
}
func errInvalidToken() *ccError {
	return &ccError{http.StatusUnauthorized, "Invalid Auth Token", "CF-InvalidAuthToken", 1000}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // CC writes links' "&" as is
	_ = enc.Encode(body)
}

func writeError(w http.ResponseWriter, errs ...*ccError) {
	writeJSON(w, errs[0].Status, map[string]any{"errors": errs})
}

// writeAccepted answers an asynchronous request: 202, a Location naming the job, no body.
func writeAccepted(w http.ResponseWriter, jobURL string) {
	w.Header().Set("Location", jobURL)
	w.WriteHeader(http.StatusAccepted)
}

// decodeBody reads a JSON object and refuses keys outside allowed, the way CC's
// NoAdditionalKeysValidator does. allowed nil means any key.
func decodeBody(r *http.Request, dst any, allowed ...string) *ccError {
	_, err := decodeBodyKeys(r, dst, allowed...)
	return err
}

// decodeBodyKeys is decodeBody that also says which keys were present, for fields where
// an explicit null means something (a process command).
func decodeBodyKeys(r *http.Request, dst any, allowed ...string) (map[string]json.RawMessage, *ccError) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return nil, errParse()
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = []byte("{}")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, errParse()
	}
	if allowed != nil {
		if unknown := unknownKeys(keys, allowed); len(unknown) > 0 {
			return nil, errUnprocessable("Unknown field(s): '" + strings.Join(unknown, "', '") + "'")
		}
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return nil, errUnprocessable("Request invalid: " + err.Error())
	}
	return keys, nil
}

func unknownKeys(keys map[string]json.RawMessage, allowed []string) []string {
	ok := map[string]bool{}
	for _, k := range allowed {
		ok[k] = true
	}
	var unknown []string
	for k := range keys {
		if !ok[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return unknown
}

// link builds {"href": base+path}.
func link(base, path string) map[string]any { return map[string]any{"href": base + path} }

func linkMethod(base, path, method string) map[string]any {
	return map[string]any{"href": base + path, "method": method}
}

// page is the paging part of a list request.
type page struct{ number, perPage int }

func parsePage(q url.Values) (page, *ccError) {
	p := page{number: 1, perPage: 50}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, errBadQuery("Page must be greater than 0")
		}
		p.number = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			return p, errBadQuery("Per page must be between 1 and 5000")
		}
		p.perPage = n
	}
	return p, nil
}

// writeList writes CC's paginated list: the filters of the request are repeated in the
// first/last/next/previous links, next and previous are null at the ends. An included
// function, given the page's bounds in items, returns the list's "included" (nil for none).
func writeList(w http.ResponseWriter, r *http.Request, base string, items []any, included ...func(from, to int) map[string]any) {
	p, cerr := parsePage(r.URL.Query())
	if cerr != nil {
		writeError(w, cerr)
		return
	}
	if items == nil {
		items = []any{} // an empty page is "resources": [], never null
	}
	total := len(items)
	pages := (total + p.perPage - 1) / p.perPage
	if pages == 0 {
		pages = 1
	}
	start := min((p.number-1)*p.perPage, total)
	end := min(start+p.perPage, total)
	href := func(n int) map[string]any {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(p.perPage))
		return map[string]any{"href": base + r.URL.Path + "?" + q.Encode()}
	}
	pagination := map[string]any{
		"total_results": total, "total_pages": pages,
		"first": href(1), "last": href(pages), "next": nil, "previous": nil,
	}
	if p.number < pages {
		pagination["next"] = href(p.number + 1)
	}
	if p.number > 1 {
		pagination["previous"] = href(p.number - 1)
	}
	body := map[string]any{"pagination": pagination, "resources": items[start:end]}
	for _, inc := range included {
		if v := inc(start, end); v != nil {
			body["included"] = v
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// listFilter reads a comma-separated filter; nil when absent.
func listFilter(q url.Values, name string) []string {
	v, ok := q[name]
	if !ok || len(v) == 0 {
		return nil
	}
	return strings.Split(v[0], ",")
}

// matches is true when the filter is absent or holds value.
func matches(filter []string, value string) bool {
	if filter == nil {
		return true
	}
	for _, f := range filter {
		if f == value {
			return true
		}
	}
	return false
}
