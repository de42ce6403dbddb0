#!/usr/bin/env bash
# Runs the integration suites inside the image, against the shipped /opt/resource/*: the
# Dockerfile's testsuite stage is the final image plus the compiled suites. cfsim runs inside
# the same container, on loopback. PROCS sets how many suite processes run in parallel.
set -euo pipefail
buildah="${BUILDAH:-buildah --storage-driver vfs}"
cd "$(dirname "$0")/../.."
tag="$(ci/scripts/bud.sh localhost/cf-bluegreen-resource:testsuite testsuite)"
ctr="$($buildah from --pull-never "$tag")"
trap '$buildah rm "$ctr" >/dev/null' EXIT
$buildah run --isolation chroot "$ctr" -- \
  /tests/ginkgo --procs="${PROCS:-6}" --timeout=20m /tests/integration.test
