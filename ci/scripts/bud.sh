#!/usr/bin/env bash
# bud.sh TAG [TARGET]: builds the Dockerfile (or its stage TARGET) with buildah (vfs storage, chroot
# isolation: no Docker engine, no registry). The builder stage uses the Go toolchain image
# assembled from the host's Go, and the host's module and build caches, so that it needs no
# network and compiles only what changed.
set -euo pipefail
tag="$1"
target=()
[ $# -lt 2 ] || target=(--target "$2")
buildah="${BUILDAH:-buildah --storage-driver vfs}"
cd "$(dirname "$0")/../.."
go mod download
builder="$(ci/scripts/go-builder-image.sh)"
$buildah bud --quiet --isolation chroot --layers --signature-policy /etc/containers/policy.json \
  --build-arg "builder_image=$builder" \
  -v "$(go env GOMODCACHE):/go/pkg/mod" -v "$(go env GOCACHE):/root/.cache/go-build" \
  "${target[@]}" -t "$tag" . >/dev/null
echo "$tag"
