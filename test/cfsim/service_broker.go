package cfsim

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// The built-in broker stand-in. CC calls a broker from a job: the job is PROCESSING until the
// broker answers; a synchronous broker finishes at once (job COMPLETE), an asynchronous one
// answers "in progress" and CC polls it (job POLLING) until the operation succeeds.

// startBrokerJob records a job for an operation of the built-in broker. After CC's job delay
// begin runs (the broker receives the request; an error fails the job); for an asynchronous
// offering the job then polls for the operation time; finish completes the operation. Both run
// under s.mu. Such jobs link to no space: CC links a service job to its resource only.
// Callers hold s.mu.
func (s *Sim) startBrokerJob(operation string, async bool, begin, finish func() *ccError) *job {
	j := &job{base: s.nextBase(), operation: operation, state: "PROCESSING"}
	s.jobs[j.guid] = j
	s.goLoop(func(ctx context.Context) {
		if !sleepCtx(ctx, jobDelay) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		err := begin()
		if err == nil && async {
			j.state, j.updated = "POLLING", time.Now()
			if !s.awaitBroker(ctx) {
				return
			}
		}
		if err == nil {
			err = finish()
		}
		s.endJob(j, err)
	})
	return j
}

// awaitBroker waits, without s.mu, for an asynchronous broker operation to finish, as CC's
// job sleeps between polls without holding anything. It reports false when the simulator is
// closing. Callers hold s.mu; they hold it again on return.
func (s *Sim) awaitBroker(ctx context.Context) bool {
	d := s.svc.asyncTime
	s.mu.Unlock()
	ok := sleepCtx(ctx, d)
	s.mu.Lock()
	return ok
}

func (s *Sim) endJob(j *job, err *ccError) {
	j.state, j.updated = "COMPLETE", time.Now()
	if err != nil {
		j.state, j.errors = "FAILED", []*ccError{err}
	}
	s.changed()
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Descriptions the broker gives its asynchronous operations.
var brokerProgress = map[string]string{"create": "Provisioning", "update": "Updating", "delete": "Deprovisioning"}

// runInstanceOperation moves a managed instance through a broker operation of the given type
// (create, update, delete) and returns its job; started runs when the job starts, done when
// the broker is done. Either may be nil.
func (s *Sim) runInstanceOperation(si *serviceInstance, kind string, started, done func()) *job {
	o := s.offeringOf(si)
	gone := func() *ccError {
		if s.svc.instances[si.guid] != si {
			return &ccError{404, "The service instance could not be found: " + si.guid + ".", "CF-ResourceNotFound", 10010}
		}
		return nil
	}
	begin := func() *ccError {
		if err := gone(); err != nil {
			return err
		}
		if started != nil {
			started()
		}
		if o.async {
			si.lastOp = newOperation(kind, "in progress", strPtr(brokerProgress[kind]))
		}
		return nil
	}
	finish := func() *ccError {
		if err := gone(); err != nil {
			return err
		}
		desc := ""
		if o.async {
			desc = "Operation succeeded"
		}
		si.lastOp = newOperation(kind, "succeeded", &desc)
		si.touch()
		if done != nil {
			done()
		}
		return nil
	}
	return s.startBrokerJob("service_instance."+kind, o.async, begin, finish)
}

// brokerCredentials is what the broker hands out for a binding or key of a managed instance:
// a user of its own per binding.
func brokerCredentials(o *serviceOffering, si *serviceInstance, b *serviceBinding) json.RawMessage {
	user, pw := "u"+b.guid[:8], newGUID()[:18]
	var creds map[string]any
	switch o.name {
	case "postgres":
		host, db := "postgres.cfsim.internal", "db_"+si.guid[:8]
		creds = map[string]any{"uri": fmt.Sprintf("postgres://%s:%s@%s:5432/%s", user, pw, host, db),
			"username": user, "password": pw, "hostname": host, "port": 5432, "name": db}
	default:
		host := o.name + ".cfsim.internal"
		creds = map[string]any{"uri": fmt.Sprintf("%s://%s:%s@%s:6379", o.name, user, pw, host),
			"username": user, "password": pw, "host": host, "port": 6379}
	}
	raw, _ := json.Marshal(creds)
	return raw
}
