package cfsim

import (
	"encoding/json"
	"time"
)

// The services part of the simulator's state: one built-in broker with its catalog, the
// service instances (managed and user-provided) and the credential bindings (app and key).
// Everything is held under Sim.mu like the rest of the state.

type serviceBroker struct {
	base
	name string
	url  string
	meta metadata
}

type serviceOffering struct {
	base
	brokerGUID  string
	name        string
	description string
	catalogID   string
	tags        []string
	bindable    bool
	async       bool // the broker provisions, deprovisions, binds and unbinds asynchronously
	docURL      string
	meta        metadata
}

type servicePlan struct {
	base
	offeringGUID string
	name         string
	description  string
	catalogID    string
	free         bool
	costs        []map[string]any
	meta         metadata
}

// lastOperation is the last operation of an instance or binding; nil means none ({}).
type lastOperation struct {
	kind        string // create update delete
	state       string // initial, in progress, succeeded, failed
	description *string
	created     time.Time
	updated     time.Time
}

type serviceInstance struct {
	base
	name      string
	spaceGUID string
	planGUID  string // "" for a user-provided instance
	tags      []string
	lastOp    *lastOperation
	meta      metadata

	// user-provided only
	credentials    json.RawMessage
	syslogDrainURL *string
	routeURL       *string

	// managed only: what the broker was given
	parameters json.RawMessage
}

func (si *serviceInstance) managed() bool { return si.planGUID != "" }

type serviceBinding struct {
	base
	kind           string // app or key
	name           *string
	instanceGUID   string
	appGUID        string // "" for a key
	credentials    json.RawMessage
	syslogDrainURL *string
	parameters     json.RawMessage
	lastOp         *lastOperation
	meta           metadata
}

// services is the services state and the built-in broker's timing.
type services struct {
	brokers   map[string]*serviceBroker
	offerings map[string]*serviceOffering
	plans     map[string]*servicePlan
	instances map[string]*serviceInstance
	bindings  map[string]*serviceBinding
	asyncTime time.Duration // how long the asynchronous offering's operations take
}

// defaultAsyncTime is how long an asynchronous broker operation stays "in progress": long
// enough for a client to see it, short enough for tests.
const defaultAsyncTime = time.Second

// newServices seeds the built-in broker's catalog. Callers hold s.mu or run before Start returns.
func (s *Sim) newServices() *services {
	sv := &services{brokers: map[string]*serviceBroker{}, offerings: map[string]*serviceOffering{},
		plans: map[string]*servicePlan{}, instances: map[string]*serviceInstance{},
		bindings: map[string]*serviceBinding{}, asyncTime: defaultAsyncTime}
	if s.cfg.ServiceOperationTime > 0 {
		sv.asyncTime = s.cfg.ServiceOperationTime
	}
	b := &serviceBroker{base: s.nextBase(), name: "cfsim-broker", url: "https://broker.cfsim.internal", meta: newMetadata()}
	sv.brokers[b.guid] = b
	for _, c := range builtinCatalog() {
		o := c.offering
		o.base, o.brokerGUID, o.catalogID, o.meta = s.nextBase(), b.guid, newGUID(), newMetadata()
		sv.offerings[o.guid] = &o
		for _, p := range c.plans {
			p.base, p.offeringGUID, p.catalogID, p.meta = s.nextBase(), o.guid, newGUID(), newMetadata()
			sv.plans[p.guid] = &p
		}
	}
	return sv
}

type catalogEntry struct {
	offering serviceOffering
	plans    []servicePlan
}

// builtinCatalog: an asynchronous database, a synchronous cache, and an offering that cannot
// be bound, so every path of CC's service code can be exercised.
func builtinCatalog() []catalogEntry {
	monthly := func(usd float64) []map[string]any {
		return []map[string]any{{"currency": "USD", "amount": usd, "unit": "MONTHLY"}}
	}
	return []catalogEntry{
		{serviceOffering{name: "postgres", description: "Simulated PostgreSQL: provisions and binds asynchronously",
			tags: []string{"postgres", "relational"}, bindable: true, async: true, docURL: "https://postgres.cfsim.internal/docs"},
			[]servicePlan{{name: "small", description: "Shared server, 1 GB", free: true},
				{name: "large", description: "Dedicated server, 50 GB", costs: monthly(30)}}},
		{serviceOffering{name: "redis", description: "Simulated Redis: provisions and binds synchronously",
			tags: []string{"redis", "key-value"}, bindable: true},
			[]servicePlan{{name: "small", description: "256 MB cache", free: true},
				{name: "ha", description: "Replicated 1 GB cache", costs: monthly(12.5)}}},
		{serviceOffering{name: "dashboard", description: "Simulated monitoring dashboard: cannot be bound",
			tags: []string{"monitoring"}},
			[]servicePlan{{name: "standard", description: "One dashboard", free: true}}},
	}
}

// SetServiceOperationTime sets how long the built-in broker's asynchronous operations
// (the postgres offering's provision, deprovision, bind and unbind) stay "in progress".
func (s *Sim) SetServiceOperationTime(d time.Duration) {
	s.mu.Lock()
	s.svc.asyncTime = d
	s.mu.Unlock()
}

// planOf, offeringOf: the catalog entries behind a managed instance; nil for user-provided.
func (s *Sim) planOf(si *serviceInstance) *servicePlan { return s.svc.plans[si.planGUID] }

func (s *Sim) offeringOf(si *serviceInstance) *serviceOffering {
	if p := s.planOf(si); p != nil {
		return s.svc.offerings[p.offeringGUID]
	}
	return nil
}

// newOperation stamps a last operation of the given type and state.
func newOperation(kind, state string, description *string) *lastOperation {
	now := time.Now()
	return &lastOperation{kind: kind, state: state, description: description, created: now, updated: now}
}

func (op *lastOperation) inProgress() bool {
	return op != nil && (op.state == "initial" || op.state == "in progress")
}

func (op *lastOperation) is(kind, state string) bool {
	return op != nil && op.kind == kind && op.state == state
}

func strPtr(s string) *string { return &s }
