#!/usr/bin/env bash
# Assembles localhost/golang:<go version>, the Dockerfile's builder_image, from the host's Go
# toolchain, for machines that cannot pull the golang image. It holds what the Dockerfile's
# builder stage uses of the golang image: Go, a shell with the usual tools (Debian's static
# busybox), a CA bundle and /tmp. Modules come from the host's module cache, which
# `make image` mounts at /go/pkg/mod, so GOPROXY is off.
set -euo pipefail
buildah="${BUILDAH:-buildah --storage-driver vfs}"
goroot="$(go env GOROOT)"
tag="localhost/golang:$(go env GOVERSION | sed 's/^go//')"

if $buildah inspect --type image "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi
ctr="$($buildah from scratch)"
trap '$buildah rm "$ctr" >/dev/null' EXIT
$buildah copy "$ctr" "$goroot" /usr/local/go >/dev/null
$buildah copy "$ctr" /bin/busybox /bin/busybox >/dev/null
$buildah run --isolation chroot "$ctr" -- /bin/busybox --install -s /bin
$buildah copy "$ctr" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
empty="$(mktemp -d)"
$buildah copy --chmod 1777 "$ctr" "$empty" /tmp >/dev/null
rmdir "$empty"
$buildah config --env PATH=/usr/local/go/bin:/go/bin:/bin --env GOPATH=/go --env HOME=/root \
  --env GOCACHE=/root/.cache/go-build --env GOPROXY=off --env GOTOOLCHAIN=local "$ctr"
$buildah commit --quiet "$ctr" "$tag" >/dev/null
echo "$tag"
