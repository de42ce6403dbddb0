// Package bluegreen is the deploy engine's shared core: what every flow (blue-green in
// bluegreen/candidate, rolling and canary in bluegreen/rollout, the maintenance switch in
// bluegreen/maintenance, release history in bluegreen/history) stands on.
//
//   - Run: one run of a flow: the target it resolved (space, domains, the live app), its
//     timeline, the step it is at, and how an abort stopped it (run.go, steps.go, abort.go).
//   - The roles a flow asks of the Cloud Controller (ports.go), and the wrapper that lets a change
//     already sent finish after an abort (settle.go).
//   - Waits every flow shares: upload and stage, start an app and wait until every instance runs,
//     prove through the routers what a route serves (bits.go, waits.go, prove.go).
//   - The lease and journal kept in an app's annotations (lease.go, journal.go).
//
// Data flows one way: resource -> a flow -> this core -> the Cloud Controller port (bluegreen/cf)
// and the prober (bluegreen/probe). docs/architecture.md has the map of where changes go.
package bluegreen
