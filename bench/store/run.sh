#!/usr/bin/env bash
# PUT/GET throughput of onehop's store beside s3rver and Ceph RGW, and the disk's durable-write
# ceiling, in one run. Server pinned to one core, load generator (bench_store) to the other.
#
# Usage: bench/store/run.sh
#   after: cmake -S . -B build/storebench -G Ninja -DCMAKE_BUILD_TYPE=Release -DONEHOP_BENCH=ON \
#            -DONEHOP_TESTS=OFF && ninja -C build/storebench onehop bench_store
#          bench/store/install-peers.sh
# Env:   ONEHOP_BUILD  build directory (default: build/storebench)
#        ONEHOP_BIN    the onehop binary (default: $ONEHOP_BUILD/src/onehop)
#        SERVERS       which columns to run (default: "disk onehop s3rver ceph")
#        RUNS          repetitions of the matrix per server; medians are reported (default: 3)
#        DURATION      measured seconds per row (default: 4); WARMUP unmeasured seconds (default: 1)
#        SERVER_CPU / CLIENT_CPU  cores (default: 0 / 1)
#        DATA_ROOT     parent of the temp data folders: the disk under test (default: /var/tmp)
#        OUT           raw rows are appended here too (default: $ONEHOP_BUILD/bench-store-rows.txt)
#
# Matrix: PUT and GET of 1 MiB objects at concurrency 1 and 16 and 64 MiB objects at concurrency
# 4; "disk" writes the same sizes with temp file + fdatasync + close + rename + dir fsync.
# Peak RSS: VmHWM of the server process (reset before each row); for Ceph, radosgw + OSD.
# "MiB per server CPU-s": bytes moved / user+system CPU of the server processes during the row
# (warm-up included). It holds on a shared machine where wall-clock rates do not; the "CPU cost"
# ratios compare it (higher = onehop moves more bytes per CPU-second than the peer).
# Every row is bounded in time (WARMUP + DURATION) and count (bench_store --max-requests).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${ONEHOP_BUILD:-$root/build/storebench}
onehop=${ONEHOP_BIN:-$build/src/onehop}
bench=${BENCH_BIN:-$build/bench/bench_store}
servers=${SERVERS:-disk onehop s3rver ceph}
runs=${RUNS:-3}
duration=${DURATION:-4}
warmup=${WARMUP:-1}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
data_root=${DATA_ROOT:-/var/tmp}
out=${OUT:-$build/bench-store-rows.txt}
bucket=bench-bucket
onehop_port=${ONEHOP_PORT:-19300}
s3rver_port=${S3RVER_PORT:-19301}
ceph_port=${CEPH_PORT:-19302}
mib=$((1024 * 1024))
matrix=("$mib 1" "$mib 16" "$((64 * mib)) 4")

die() {
  echo "run.sh: $*" >&2
  exit 1
}

[[ -x $bench ]] || die "$bench not found: build bench_store first"
command -v taskset >/dev/null || die "taskset not found (util-linux)"
command -v curl >/dev/null || die "curl not found"

work=$(mktemp -d "$data_root/onehop-bench-store.XXXXXX")
rows=$work/rows.txt
: >"$rows"
server_pid=()
stop_current=

cleanup() {
  if [[ -n $stop_current ]]; then
    $stop_current || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Waits at most 30 s for an HTTP answer (any status) on a port.
wait_http() {
  for ((i = 0; i < 120; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then
      return 0
    fi
    sleep 0.25
  done
  die "nothing answers on port $1"
}

stop_pid() {
  local pid=${server_pid[0]:-}
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for ((i = 0; i < 40; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  server_pid=()
}

start_onehop() {
  [[ -x $onehop ]] || die "$onehop not found: build onehop first"
  export BENCH_ACCESS_KEY=BENCHONEHOPACCESS001 BENCH_SECRET_KEY=benchOnehopSecret000000000000000000000000
  ONEHOP_STORE_ACCESS_KEY=$BENCH_ACCESS_KEY ONEHOP_STORE_SECRET_KEY=$BENCH_SECRET_KEY \
    taskset -c "$server_cpu" "$onehop" store --listen "127.0.0.1:$onehop_port" \
    --data "$work/onehop" --bucket "$bucket" --threads 1 >"$work/onehop.log" 2>&1 &
  server_pid=($!)
  port=$onehop_port
  stop_current=stop_pid
  wait_http "$port"
}

start_s3rver() {
  local bin=$here/peers/node_modules/s3rver/bin/s3rver.js
  [[ -f $bin ]] || die "s3rver not installed: run bench/store/install-peers.sh"
  # s3rver's built-in account.
  export BENCH_ACCESS_KEY=S3RVER BENCH_SECRET_KEY=S3RVER
  mkdir -p "$work/s3rver"
  taskset -c "$server_cpu" node "$bin" -d "$work/s3rver" -a 127.0.0.1 -p "$s3rver_port" --silent \
    --configure-bucket "$bucket" >"$work/s3rver.log" 2>&1 &
  server_pid=($!)
  port=$s3rver_port
  stop_current=stop_pid
  wait_http "$port"
}

stop_ceph() {
  "$here/ceph-rgw.sh" stop "$work/ceph" "$ceph_port" || true
}

start_ceph() {
  command -v radosgw >/dev/null || die "radosgw not installed: run bench/store/install-peers.sh"
  export BENCH_ACCESS_KEY=BENCHCEPHACCESSKEY01 BENCH_SECRET_KEY=benchCephSecretKey0000000000000000000000
  local line
  stop_current=stop_ceph
  line=$(CEPH_ACCESS_KEY=$BENCH_ACCESS_KEY CEPH_SECRET_KEY=$BENCH_SECRET_KEY \
    taskset -c "$server_cpu" "$here/ceph-rgw.sh" start "$work/ceph" "$ceph_port" | tail -1)
  read -r _ mon osd rgw <<<"$line"
  server_pid=("$rgw" "$osd")
  port=$ceph_port
  BOTO_DISABLE_CRT=true /usr/bin/python3 -c '
import sys, boto3
boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
             aws_secret_access_key=sys.argv[3], region_name="us-east-1").create_bucket(Bucket=sys.argv[4])
' "http://127.0.0.1:$port" "$BENCH_ACCESS_KEY" "$BENCH_SECRET_KEY" "$bucket" ||
    die "cannot create the bucket on radosgw"
}

run_http_matrix() {
  local name=$1 pid_args=()
  for p in "${server_pid[@]}"; do
    pid_args+=(--pid "$p")
  done
  # Unmeasured: the first writes can be slow (radosgw creates its data pool on the first PUT).
  taskset -c "$client_cpu" "$bench" http --op put --size "$mib" --concurrency 2 --duration 2 \
    --warmup 0 --max-requests 1000 --endpoint "http://127.0.0.1:$port" --bucket "$bucket" \
    >/dev/null || die "$name does not accept PUTs"
  for ((r = 1; r <= runs; r++)); do
    for op in put get; do
      for cell in "${matrix[@]}"; do
        read -r size conc <<<"$cell"
        taskset -c "$client_cpu" "$bench" http --server "$name" --op "$op" --size "$size" \
          --concurrency "$conc" --duration "$duration" --warmup "$warmup" --max-requests 200000 \
          --endpoint "http://127.0.0.1:$port" --bucket "$bucket" "${pid_args[@]}" |
          tee -a "$rows" || echo "run.sh: errors in $name $op $size x$conc (row kept)" >&2
      done
    done
  done
}

run_disk_matrix() {
  for ((r = 1; r <= runs; r++)); do
    for cell in "${matrix[@]}"; do
      read -r size conc <<<"$cell"
      # On the server's core: this is what a store pinned there could at best do.
      taskset -c "$server_cpu" "$bench" disk --server disk --dir "$work/disk" --size "$size" \
        --concurrency "$conc" --duration "$duration" --warmup "$warmup" --max-requests 200000 |
        tee -a "$rows"
    done
  done
  rm -rf "$work/disk"
}

echo "# bench/store $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -r), $(nproc) cores, data in $data_root"
echo "# loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# server op size concurrency MiB/s objects/s p50_ms p99_ms rss_MiB requests errors MiB_per_server_cpu_s"
for s in $servers; do
  case $s in
    disk) run_disk_matrix ;;
    onehop | s3rver | ceph)
      "start_$s"
      run_http_matrix "$s"
      $stop_current
      stop_current=
      rm -rf "${work:?}/$s"
      ;;
    *) die "unknown server '$s'" ;;
  esac
done
echo "# loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$rows" >>"$out"

# Medians per (server, op, size, concurrency); peak RSS is the largest seen.
awk -v servers="$servers" '
function median(list,   n, a, i, j, t) {
  n = split(list, a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function max(list,   n, a, i, m) { n = split(list, a, " "); m = 0; for (i = 1; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0; return m }
{
  k = $1 SUBSEP ($2 == "durable" ? "put" : $2) SUBSEP $3 SUBSEP $4
  mibs[k] = mibs[k] " " $5; objs[k] = objs[k] " " $6; p50[k] = p50[k] " " $7; p99[k] = p99[k] " " $8
  rss[k] = rss[k] " " $9; eff[k] = eff[k] " " $12; errs[k] += $11; runs[k]++
}
END {
  ns = split(servers, sv, " ")
  print ""
  print "| op | size | conc | server | MiB/s | objects/s | p50 ms | p99 ms | peak RSS MiB | MiB per server CPU-s | runs | errors |"
  print "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  split("put get", ops, " ")
  split("1048576:1 1048576:16 67108864:4", cells, " ")
  for (o = 1; o <= 2; o++) for (c = 1; c <= 3; c++) {
    split(cells[c], sc, ":")
    for (s = 1; s <= ns; s++) {
      k = sv[s] SUBSEP ops[o] SUBSEP sc[1] SUBSEP sc[2]
      if (!(k in runs)) continue
      m[k] = median(mibs[k])
      printf "| %s | %s MiB | %s | %s | %.1f | %.1f | %.2f | %.2f | %s | %s | %d | %d |\n", (sv[s] == "disk" ? "durable write" : toupper(ops[o])), sc[1] / 1048576, sc[2], sv[s], m[k], median(objs[k]), median(p50[k]), median(p99[k]), (sv[s] == "disk" ? "-" : sprintf("%.0f", max(rss[k]))), (sv[s] == "disk" ? "-" : sprintf("%.0f", median(eff[k]))), runs[k], errs[k]
    }
  }
  print ""
  print "| op | size | conc | onehop / s3rver | onehop / ceph | onehop / disk ceiling | CPU cost: onehop vs s3rver | vs ceph |"
  print "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
  for (o = 1; o <= 2; o++) for (c = 1; c <= 3; c++) {
    split(cells[c], sc, ":")
    k1 = "onehop" SUBSEP ops[o] SUBSEP sc[1] SUBSEP sc[2]
    if (!(k1 in m)) continue
    r1 = r2 = r3 = "-"
    k = "s3rver" SUBSEP ops[o] SUBSEP sc[1] SUBSEP sc[2]; if ((k in m) && m[k] > 0) r1 = sprintf("%.2fx", m[k1] / m[k])
    k = "ceph" SUBSEP ops[o] SUBSEP sc[1] SUBSEP sc[2]; if ((k in m) && m[k] > 0) r2 = sprintf("%.2fx", m[k1] / m[k])
    k = "disk" SUBSEP ops[o] SUBSEP sc[1] SUBSEP sc[2]; if (ops[o] == "put" && (k in m) && m[k] > 0) r3 = sprintf("%.0f%%", 100 * m[k1] / m[k])
    e1 = e2 = "-"; ek = median(eff[k1])
    k = "s3rver" SUBSEP ops[o] SUBSEP sc[1] SUBSEP sc[2]; if ((k in eff) && median(eff[k]) > 0 && ek > 0) e1 = sprintf("%.2fx", ek / median(eff[k]))
    k = "ceph" SUBSEP ops[o] SUBSEP sc[1] SUBSEP sc[2]; if ((k in eff) && median(eff[k]) > 0 && ek > 0) e2 = sprintf("%.2fx", ek / median(eff[k]))
    printf "| %s | %s MiB | %s | %s | %s | %s | %s | %s |\n", toupper(ops[o]), sc[1] / 1048576, sc[2], r1, r2, r3, e1, e2
  }
}' "$rows"
