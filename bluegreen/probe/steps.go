package probe

import (
	"fmt"
	"net/http"
	"strconv"
)

const (
	headerAppInstance     = "X-CF-App-Instance"
	headerProcessInstance = "X-CF-Process-Instance"
	// ghostProcess is a process guid no process has. A router that honours X-CF-Process-Instance
	// answers it with 400 unknown_route; one that predates the header ignores it and lets an app
	// answer, which would make every process look present.
	ghostProcess = "00000000-0000-0000-0000-000000000000"
)

// step is one thing a base must confirm K times in a row: a request header to send and the
// answers that count.
type step struct {
	label         string // what is being confirmed, for messages
	header, value string // instance header; none in Marker mode
	accept        func(observation) bool
	// fatal, when set, turns an answer into an error that ends verification at once: it proves
	// the method cannot work here, so waiting for the deadline would only hide why.
	fatal func(observation) error
}

// steps lists what each base confirms, in order.
func (b Backend) steps(present bool) []step {
	switch {
	case b.AppGUID != "":
		return b.indexSteps(headerAppInstance, b.AppGUID, present)
	case b.ProcessGUID != "" && present:
		return append([]step{processHeaderHonoured()}, b.indexSteps(headerProcessInstance, b.ProcessGUID, true)...)
	case b.ProcessGUID != "":
		// Without an index the router matches any instance of the process, so one unknown_route
		// proves every index gone, including any beyond Instances.
		return []step{{label: headerProcessInstance + ": " + b.ProcessGUID + " (any index)",
			header: headerProcessInstance, value: b.ProcessGUID, accept: observation.gone}}
	}
	return []step{b.markerStep(present)}
}

func (b Backend) indexSteps(header, guid string, present bool) []step {
	steps := make([]step, b.Instances)
	for i := range steps {
		value := guid + ":" + strconv.Itoa(i)
		steps[i] = step{label: header + ": " + value, header: header, value: value, accept: b.presence(present)}
	}
	return steps
}

// presence is the answer that counts: the app answered (healthily if required), or it is gone.
func (b Backend) presence(present bool) func(observation) bool {
	switch {
	case !present:
		return observation.gone
	case b.RequireHealthy:
		return observation.healthy
	}
	return observation.answered
}

// markerStep: present needs the marker on every answer; absent needs answers without it, or the
// route gone. Gorouter errors other than "gone", and answers from anything but a gorouter, prove
// neither and reset the count.
func (b Backend) markerStep(present bool) step {
	s := step{label: "marker " + b.Marker.String()}
	if !present {
		s.accept = func(o observation) bool { return o.gone() || (o.answered() && !o.marker) }
		return s
	}
	accept := b.presence(true)
	s.accept = func(o observation) bool { return accept(o) && o.marker }
	return s
}

// processHeaderHonoured proves the routers behind a base honour X-CF-Process-Instance before any
// presence by process counts.
func processHeaderHonoured() step {
	return step{
		label:  "router support for " + headerProcessInstance + " (probing unknown process " + ghostProcess + ")",
		header: headerProcessInstance,
		value:  ghostProcess,
		accept: func(o observation) bool { return o.routerError == unknownRoute && o.status == http.StatusBadRequest },
		fatal: func(o observation) error {
			if !o.answered() {
				return nil
			}
			return fmt.Errorf("the router ignores %s: an app answered for process %s, which does not exist "+
				"(routing-release before 2025-03?); verify with a Marker instead", headerProcessInstance, ghostProcess)
		},
	}
}
