package bluegreen

import (
	"context"
	"fmt"
	"strings"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"
)

func running(insts []platform.Instance) int {
	n := 0
	for _, in := range insts {
		if in.State == platform.InstanceRunning {
			n++
		}
	}
	return n
}

func (r *Run) crashed(ctx context.Context, appGUID string, insts []platform.Instance) error {
	for _, in := range insts {
		if in.State != platform.InstanceCrashed {
			continue
		}
		reasons, _ := r.CC.CrashReasons(ctx, appGUID)
		r.PrintCrashes(reasons)
		last := "no reason reported"
		if len(reasons) > 0 {
			last = reasons[len(reasons)-1]
		}
		return fmt.Errorf("instance %d crashed (%s); instances: %s", in.Index, last, Describe(insts))
	}
	return nil
}

// Describe lists instances with their states, for an error.
func Describe(insts []platform.Instance) string {
	var parts []string
	for _, in := range insts {
		s := fmt.Sprintf("#%d %s", in.Index, in.State)
		if in.Details != "" {
			s += " (" + in.Details + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "none reported"
	}
	return strings.Join(parts, ", ")
}

// PrintCrashes prints each distinct crash reason once, with how often it happened.
func (r *Run) PrintCrashes(reasons []string) {
	count := map[string]int{}
	var order []string
	for _, c := range reasons {
		if count[c] == 0 {
			order = append(order, c)
		}
		count[c]++
	}
	for _, c := range order {
		r.Log.Fail("crash: %s (%d times)", c, count[c])
	}
}
