// Package bluegreen will hold the deploy engine: strategies (bluegreen, rolling, canary), the
// step runner, the lease and journal, rollback. It knows nothing of Concourse's JSON. See
// ../shared/design.md; it arrives with the blue-green issue.
package bluegreen
