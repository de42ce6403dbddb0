// Package release deploys the apps of a multi-app manifest together, all or nothing. Each app
// runs its own flow (blue-green or a CAPI deployment) with a bluegreen.Hold: every app is leased
// before the first changes anything; the apps then deploy one after the other, in order, each
// parked once proven (a blue-green app before finalize, its old app still running; a rollout
// once its deployment is proven and observed). Only when the last one is proven do they all
// commit. If one fails, it undoes itself as it would alone, and the apps already proven are
// undone newest first, each by its own flow's failure path (switched back, or rolled back to
// the previous revision), verified through the routers.
package release

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen"
)

// App is one app of a release: its name and its flow, to run with the hold and timeline given.
type App struct {
	Name   string
	Deploy func(ctx context.Context, hold bluegreen.Hold, log *bluegreen.Timeline) (bluegreen.Result, error)
}

// ErrUndone is the error the apps already proven are undone with when a later one fails.
var ErrUndone = errors.New("undone")

// Release deploys apps in order, all or nothing, and returns every app's result (in order).
// Its error names the app that failed and says what became of the others.
func Release(ctx context.Context, apps []App, log *bluegreen.Timeline) ([]bluegreen.Result, error) {
	members := make([]*member, len(apps))
	for i, a := range apps {
		members[i] = newMember(a, log)
	}
	// Every flow has ended before the results are read.
	i, err := leaseAll(ctx, members)
	if err == nil {
		i, err = proveInTurn(members)
	}
	if err != nil {
		err = failed(members, i, err, log)
		return results(members), err
	}
	err = commit(members, log)
	return results(members), err
}

// leaseAll starts each app's flow in turn and waits until it holds its lease, so that no app
// changes before every one is leased. It returns the first that failed.
func leaseAll(ctx context.Context, members []*member) (int, error) {
	for i, m := range members {
		m.start(ctx)
		if err := m.waitFor(m.leased); err != nil {
			return i, err
		}
	}
	return -1, nil
}

// proveInTurn lets each app deploy, one after the other, up to proven. An app held meanwhile
// may have ended (its params.timeout ran out while it waited): it undid itself, so the release
// fails with it.
func proveInTurn(members []*member) (int, error) {
	for i, m := range members {
		m.goOn(m.leaseGo, nil)
		if err := m.waitFor(m.proven); err != nil {
			return i, err
		}
		for j, held := range members[:i+1] {
			if held.ended() && held.err != nil {
				return j, held.err
			}
		}
	}
	return -1, nil
}

// commit lets every app, proven, finish (finalize) in order.
func commit(members []*member, log *bluegreen.Timeline) error {
	errs := &multierror.Error{}
	for _, m := range members {
		m.goOn(m.provenGo, nil)
		if err := m.wait(); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", m.Name, err))
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return errors.New(bluegreen.Flatten(err))
	}
	log.Note("released %s: every app proven, all committed", names(members))
	return nil
}

// failed undoes the release after app i failed (its flow has undone it), newest first: the apps
// after it are at most leased and let go unchanged; the ones before it, proven, are undone.
func failed(members []*member, i int, cause error, log *bluegreen.Timeline) error {
	why := fmt.Errorf("%w: %s failed", ErrUndone, members[i].Name)
	var undone, broken []string
	for j := len(members) - 1; j >= 0; j-- {
		m := members[j]
		if j == i || !m.started {
			continue
		}
		proven := m.reached(m.proven)
		if proven {
			log.Fail("%s failed: undoing %s", members[i].Name, m.Name)
		}
		// Whichever hold the flow is parked at takes the answer (an abort may have ended it).
		m.goOn(m.leaseGo, why)
		m.goOn(m.provenGo, why)
		err := m.wait()
		switch {
		case errors.Is(err, bluegreen.ErrUnrecovered) || err == nil:
			broken = append(broken, fmt.Sprintf("%s: %v", m.Name, orCommitted(err)))
		case proven:
			undone = append(undone, m.Name)
		}
	}
	return describe(members[i].Name, cause, undone, broken)
}

// orCommitted is what a flow that ended without error when it should have been undone did.
func orCommitted(err error) error {
	if err == nil {
		return errors.New("it had already committed its new version")
	}
	return err
}

// describe is a failed release's one error: the app and step that failed, and what became of
// the others.
func describe(app string, cause error, undone, broken []string) error {
	var b strings.Builder
	if len(undone) > 0 {
		fmt.Fprintf(&b, "; undone, newest first, each proven serving its old version again: %s", strings.Join(undone, ", "))
	}
	if len(broken) > 0 {
		fmt.Fprintf(&b, "; undoing failed for %s", strings.Join(broken, "; "))
	}
	return fmt.Errorf("%s: %w%s", app, cause, b.String()) // an abort stays an abort
}

func names(members []*member) string {
	out := make([]string, len(members))
	for i, m := range members {
		out[i] = m.Name
	}
	return strings.Join(out, ", ")
}

func results(members []*member) []bluegreen.Result {
	out := make([]bluegreen.Result, len(members))
	for i, m := range members {
		out[i] = m.res
	}
	return out
}
