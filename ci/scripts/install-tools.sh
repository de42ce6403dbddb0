#!/usr/bin/env bash
# Installs what building and testing the image needs on a fresh Debian machine: buildah (no
# Docker engine is needed) and a static busybox for the locally assembled builder image.
set -euo pipefail
missing=()
command -v buildah >/dev/null || missing+=(buildah)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
