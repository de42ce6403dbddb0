// Package platform holds the engine's view of a Cloud Foundry foundation: the few facts it
// reads about spaces, apps, processes, routes, deployments, revisions and droplets, the Cloud
// Controller's states as typed constants, and the errors the engine tells apart. The engine
// owns these types; the Cloud Controller port (bluegreen/cf) maps go-cfclient's resources to
// them, and the fake foundation of the unit suites builds them directly. It imports nothing
// of the project, so every other package can depend on it.
package platform
