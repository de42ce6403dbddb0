#!/usr/bin/env bash
# Runs in the golang image: the build and module caches live in the task's cache folder.
set -euo pipefail
export GOCACHE="$PWD/gocache/build" GOMODCACHE="$PWD/gocache/mod"
cd repo
make fmt-check vet unit
