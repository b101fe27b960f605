#!/usr/bin/env bash
# Air-gapped installs: builds the debian:bookworm-slim base image locally with debootstrap,
# from the Debian mirror this machine's apt already uses, when no registry can provide it.
# Does nothing if the image exists. Needs root.
set -euo pipefail

image="${BASE_IMAGE:-debian:bookworm-slim}"
if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

mirror=$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources || true
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || true
  } | awk '{print $2}' | grep -v -- '-security' | head -n 1
)
if [ -z "$mirror" ]; then
  echo "no Debian mirror found in apt's sources" >&2
  exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
echo "bootstrapping $image from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import - "$image" >/dev/null
echo "built $image"
