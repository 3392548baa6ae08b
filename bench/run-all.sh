#!/usr/bin/env bash
# Every benchmark, each printing its table beside the peers it is compared with.
# `make bench` builds build/release first; the store benchmark installs its peers (s3rver, Ceph RGW).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
(cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)
ONEHOP_BUILD="$root/build/release" bench/presign/run.sh
taskset -c 1 "$root/build/release/bench/bench_md5" --benchmark_min_time=0.3
bench/store/install-peers.sh
ONEHOP_BUILD="$root/build/release" bench/store/run.sh
ONEHOP_BUILD="$root/build/release" bench/api/run.sh
ONEHOP_BUILD="$root/build/release" bench/api/cpu_per_upload.sh
