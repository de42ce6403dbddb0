// Package manifest reads cf app manifests the way the cf CLI does and packages app bits.
//
// Reading: Load/Parse interpolate ((vars)) on the parsed YAML tree (so a value never breaks the
// document's structure), resolve anchors, aliases and merge keys, and validate the fields the
// deploy engine relies on, naming the app and the field in every error. Render then writes the
// one-app manifest sent to the Cloud Controller's apply_manifest, keeping every key the user
// wrote (the CC ignores those it does not know) except the ones the engine owns.
//
// Bits: ResolveSource decides between a directory to zip and an archive to send as is;
// WriteZip streams the zip, honouring .cfignore and the cf CLI's default exclusions.
//
// Variable values can be secrets: no error of this package prints one, only variable names.
package manifest
