package cfsim

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// orderList sorts presented list items by CC's order_by: a field, ascending, or
// descending with a leading "-" ("+" is allowed too). Items come in creation order, which
// breaks ties as CC's second ordering by id does (reversed when descending). fields are the
// values the list accepts besides created_at and updated_at.
func orderList(items []any, orderBy string, fields ...string) ([]any, *ccError) {
	if orderBy == "" {
		return items, nil
	}
	allowed := append([]string{"created_at", "updated_at"}, fields...)
	field := strings.TrimLeft(orderBy, "+-")
	desc := strings.HasPrefix(orderBy, "-")
	if !slices.Contains(allowed, field) || len(orderBy)-len(field) > 1 {
		quoted := make([]string, len(allowed))
		for i, f := range allowed {
			quoted[i] = "'" + f + "'"
		}
		return nil, errBadQuery("Order by can only be: " + strings.Join(quoted, ", "))
	}
	out := append([]any(nil), items...)
	if desc {
		slices.Reverse(out)
	}
	key := func(i int) string { return fmt.Sprint(out[i].(map[string]any)[field]) }
	sort.SliceStable(out, func(i, j int) bool {
		if desc {
			return key(i) > key(j)
		}
		return key(i) < key(j)
	})
	return out, nil
}
