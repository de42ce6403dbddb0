// Package router simulates a fleet of Cloud Foundry gorouters behind one load balancer.
//
// Each router keeps its own routing table, fed by Fleet.Publish with the route-emitter's
// router.register and router.unregister messages after a lag of its own, so tests can see
// the window in which routers disagree. Requests follow gorouter's lookup rules, error pages,
// instance headers, round-robin and retries (docs/platform/propagation-and-gorouter.md).
//
// Each router has two lags, drawn once: one for registrations and one for removals. Each kind is
// applied in publish order, but the two kinds are independent, so a removal can overtake a
// registration published before it. That is what happens on Cloud Foundry with cell-local
// route-emitters: in a blue-green cutover the new app's registrations come from the emitters on
// its cells and the old app's removals from the emitters on the old cells, over different paths
// (docs/platform/propagation-and-gorouter.md, and the blue-green 404 incidents under its latency).
// With one lag for both, "map the new route, then unmap the old one" could never answer 404
// unknown_route; with two, a router that learns the removal first does, until the registration
// arrives. One endpoint's own messages
// (same URI and host:port) come from the one emitter on its cell, so they must still take effect
// in publish order: applying one drops the other kind's still-pending messages for that endpoint
// that were published before it (dropped messages are not in Events).
//
// Simplified compared with a real gorouter:
//   - no NATS: the emitter calls Publish directly; no router.start/greet, no re-emit heartbeat;
//   - plain HTTP only: no TLS to backends, so no SAN checks, no 525/526/496 pages and no pruning
//     of failed TLS endpoints; a failed endpoint is only skipped for 30 s, as for non-TLS ones;
//   - no pruning of stale routes (no TTL), and no start_response_delay before serving;
//   - empty pools are always deleted (empty_pool_timeout 0), so 503 no_endpoints never occurs;
//   - round-robin only (no least-connection, no AZ preference), no max_conns limit;
//   - no route services, sticky sessions, WebSockets or zipkin/W3C tracing; access log lines
//     (gorouter's format, without extra headers) go only to Options.AccessLog, not to a file;
//   - the load balancer is a plain L7 round-robin proxy with no health checks of its own; as all
//     traffic is loopback, a Host of "127.0.0.1" reaches the routers as gorouter's empty_host case.
package router
