#!/usr/bin/env bash
# Installs the peers that bench/store compares onehop's store with: Ceph RGW (Debian's radosgw,
# one mon + one OSD + one gateway) and s3rver (npm, pinned in peers/package-lock.json).
# Idempotent: packages already present are skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

apt_packages=(ceph-mon ceph-osd radosgw ceph-common)
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

if [[ ! -x "$here/peers/node_modules/.bin/s3rver" ]]; then
  if [[ -f "$here/peers/package-lock.json" ]]; then
    (cd "$here/peers" && npm ci --no-audit --no-fund)
  else
    (cd "$here/peers" && npm install --no-audit --no-fund)
  fi
fi
