#!/usr/bin/env bash
# POST /api/uploads on one core: `onehop serve` beside the seed's own Express server and Uppy
# Companion in the same run, with the ceiling of the setup (a Beast server writing pre-built bytes).
#
# Usage: bench/api/run.sh              (builds onehop and bench_api_ceiling in build/release first)
# Env:   ONEHOP_BUILD  build directory (default: build/release); BUILD=0 builds nothing
#        SERVERS       rows to run (default: "ceiling onehop seed seed_jwt_string seed_noauth companion")
#        RUNS          measured wrk runs per server, the median is reported (default: 3)
#        DURATION      seconds per wrk run (default: 10); WARMUP unmeasured seconds first (default: 3)
#        CONNECTIONS   wrk connections (default: 64)
#        SERVER_CPU / CLIENT_CPU  cores for the servers / for wrk (default: 0 / 1)
#        BASE_PORT     first of the ports used (default: 19500)
#        NICE          run at this priority (e.g. -15, as root) on a machine shared with compiles
#        OUT           the table is also written here (default: $ONEHOP_BUILD/bench-api.md), the raw
#                      rows (server, run, req/s, p50, p99, requests, non-2xx, errors, CPU s, req per
#                      CPU-s) beside it as bench-api-rows.txt
#
# Every server runs pinned to SERVER_CPU (`taskset -c`, one thread or one node process) and answers
# the request a browser makes before an upload, authenticated with the same HS256 JWT:
#   ceiling    bench_api_ceiling (bench/api_ceiling/main.cpp): parses the request, writes fixed bytes
#   onehop     onehop serve, POST /api/uploads {"filename","contentType","size"} -> 201 (JWT, policy,
#              sign, JSON; rate limit off, quota off)
#   seed       the seed's Express server (bench/peers/seed_server.js), POST /api/upload
#              {"fileType"} -> 200 {imageIdentifier, signedURL} (aws-sdk v2 getSignedUrl), the
#              JWT checked with jsonwebtoken (secret as a KeyObject) where the seed has its
#              "Authorization checks" placeholder
#   seed_jwt_string  the same with the secret passed as a string, as jsonwebtoken's README does
#              (SEED_AUTH=jwt-string: ~0.5 ms more per request, auth0/node-jsonwebtoken#966)
#   seed_noauth  the same server with SEED_AUTH=none: no check at all, the seed's best case
#   companion  Uppy Companion 6.2.2 standalone (bench/peers/companion_server.js),
#              GET /s3/params?filename=&type= -> 200 presigned POST policy (no auth: it has none)
# `wrk -t1 -cCONNECTIONS --latency --timeout 30s` (a slow answer counts in the latencies instead of
# being dropped as a wrk timeout) runs pinned to CLIENT_CPU with bench/api/post_upload.lua or
# get_params.lua. The servers all stay up for the whole run and the repetitions are interleaved
# (run 1 of every server, then run 2, ...), so a slow minute of a shared machine hits all of them.
# Each server's answer is checked once with curl before it is measured (status and a signed URL in
# the body); responses that are not 2xx during a run are counted in the table.
# "req per server CPU-s": requests / user+system CPU the server process used during the run; it
# holds on a busy machine where req/s does not.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/api/common.sh
source "$here/common.sh"
prioritize "$@"
work=$(mktemp -d "${TMPDIR:-/tmp}/onehop-bench-api.XXXXXX")

servers=${SERVERS:-ceiling onehop seed seed_jwt_string seed_noauth companion}
runs=${RUNS:-3}
duration=${DURATION:-10}
warmup=${WARMUP:-3}
connections=${CONNECTIONS:-64}
base_port=${BASE_PORT:-19500}
out=${OUT:-$build/bench-api.md}
store_port=$base_port
declare -A port=([ceiling]=$((base_port + 1)) [onehop]=$((base_port + 2)) [seed]=$((base_port + 3))
  [companion]=$((base_port + 4)) [seed_noauth]=$((base_port + 5)) [seed_jwt_string]=$((base_port + 6)))

cleanup() {
  stop_all
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"
command -v curl >/dev/null || die "curl not found"
build_binaries
install_peers

token=$(node "$here/make_jwt.js" "$jwt_secret" bench-user 86400)
onehop_body='{"filename":"cat.png","contentType":"image/png","size":123456}'
seed_body='{"fileType":"image/png"}'

# Per server: the wrk script, the path, the body, the status a good answer has, how to start it.
declare -A script path body status label
script=([ceiling]=post_upload.lua [onehop]=post_upload.lua [seed]=post_upload.lua
  [seed_jwt_string]=post_upload.lua [seed_noauth]=post_upload.lua [companion]=get_params.lua)
path=([ceiling]=/api/uploads [onehop]=/api/uploads [seed]=/api/upload [seed_jwt_string]=/api/upload
  [seed_noauth]=/api/upload
  [companion]="/s3/params?filename=cat.png&type=image%2Fpng")
body=([ceiling]=$onehop_body [onehop]=$onehop_body [seed]=$seed_body [seed_jwt_string]=$seed_body
  [seed_noauth]=$seed_body [companion]="")
status=([ceiling]=201 [onehop]=201 [seed]=200 [seed_jwt_string]=200 [seed_noauth]=200 [companion]=200)

peer_version() {
  node -p "require('$peers/node_modules/$1/package.json').version"
}

start_one() {
  local name=$1 p=${port[$1]}
  case $name in
    ceiling)
      [[ -x $ceiling_bin ]] || { note "$ceiling_bin not found"; return 1; }
      start_pinned ceiling "$server_cpu" "$p" "$ceiling_bin" 127.0.0.1 "$p"
      label[ceiling]="ceiling: Beast, pre-built bytes (bench_api_ceiling)"
      ;;
    onehop)
      if ! serve_available; then
        echo "onehop serve not available"
        return 1
      fi
      write_serve_config "$work/serve.toml" "$p" "$store_port"
      start_pinned onehop "$server_cpu" "$p" "$onehop" serve --config "$work/serve.toml"
      label[onehop]="onehop serve (1 thread)"
      ;;
    seed)
      PORT=$p SEED_ENDPOINT=http://127.0.0.1:$store_port SEED_BUCKET=$bucket \
        start_pinned seed "$server_cpu" "$p" node "$peers/seed_server.js"
      label[seed]="seed: Express $(peer_version express) + jsonwebtoken $(peer_version jsonwebtoken) + aws-sdk v2 $(peer_version aws-sdk) getSignedUrl"
      ;;
    seed_jwt_string)
      PORT=$p SEED_ENDPOINT=http://127.0.0.1:$store_port SEED_BUCKET=$bucket SEED_AUTH=jwt-string \
        start_pinned seed_jwt_string "$server_cpu" "$p" node "$peers/seed_server.js"
      label[seed_jwt_string]="seed, jsonwebtoken with a string secret (SEED_AUTH=jwt-string)"
      ;;
    seed_noauth)
      PORT=$p SEED_ENDPOINT=http://127.0.0.1:$store_port SEED_BUCKET=$bucket SEED_AUTH=none \
        start_pinned seed_noauth "$server_cpu" "$p" node "$peers/seed_server.js"
      label[seed_noauth]="seed, no authorization check (SEED_AUTH=none)"
      ;;
    companion)
      PORT=$p COMPANION_AWS_ENDPOINT=http://127.0.0.1:$store_port COMPANION_AWS_BUCKET=$bucket \
        start_pinned companion "$server_cpu" "$p" node "$peers/companion_server.js"
      label[companion]="Uppy Companion $(peer_version @uppy/companion) GET /s3/params"
      ;;
    *) die "unknown server $name" ;;
  esac
}

# One request with curl: the expected status and a signed URL in the answer, or the row is skipped.
check_one() {
  local name=$1 url="http://127.0.0.1:${port[$1]}${path[$1]}" got
  if [[ $name == companion ]]; then
    got=$(curl -s -o "$work/check-$name.json" -w '%{http_code}' "$url")
  else
    got=$(curl -s -o "$work/check-$name.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $token" --data "${body[$name]}" "$url")
  fi
  if [[ $got != "${status[$name]}" ]] || ! grep -q 'X-Amz-Signature' "$work/check-$name.json"; then
    note "$name answered $got (expected ${status[$name]} with a signed URL): $(head -c 300 "$work/check-$name.json")"
    return 1
  fi
  # Same for a request without a valid token: it must be refused (the ceiling and Companion
  # do not authenticate, by design).
  if [[ $name == onehop || $name == seed || $name == seed_jwt_string ]]; then
    got=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -H "Authorization: Bearer ${token}x" --data "${body[$name]}" "$url")
    if [[ $got != 401 && $got != 403 ]]; then
      note "$name accepted a bad token (HTTP $got)"
      return 1
    fi
  fi
}

run_wrk() {
  local name=$1 seconds=$2 output=$3
  BENCH_TOKEN=$token BENCH_PATH=${path[$name]} BENCH_BODY=${body[$name]} \
    taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"${seconds}s" --latency --timeout 30s \
    -s "$here/${script[$name]}" "http://127.0.0.1:${port[$name]}" >"$output" 2>&1
}

# From wrk's output: req/s, p50 ms, p99 ms, total requests, non-2xx responses, socket errors.
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { total = $1 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
    END { printf "%s %s %s %s %d %d\n", rps, p50, p99, total, bad, errs }' "$1"
}

echo "bench/api: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; servers on core $server_cpu, wrk on core $client_cpu"
start_store "$store_port"
active=()
for name in $servers; do
  if start_one "$name" && check_one "$name"; then
    active+=("$name")
    run_wrk "$name" "$warmup" "$work/warmup-$name.txt"
  else
    stop_server "$name"
  fi
done
[[ ${#active[@]} -gt 0 ]] || die "no server to measure"

rows=$work/rows.txt
: >"$rows"
for ((r = 1; r <= runs; r++)); do
  for name in "${active[@]}"; do
    pid=${pids[$name]}
    before=$(cpu_ticks "$pid")
    run_wrk "$name" "$duration" "$work/run-$name-$r.txt"
    after=$(cpu_ticks "$pid")
    read -r rps p50 p99 total bad errs < <(parse_wrk "$work/run-$name-$r.txt")
    cpu_s=$(awk -v a="$after" -v b="$before" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (a - b) / t }')
    per_cpu=$(awk -v n="$total" -v c="$cpu_s" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "-" }')
    echo "$name $r $rps $p50 $p99 $total $bad $errs $cpu_s $per_cpu" | tee -a "$rows"
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"

median_of() { # median_of NAME FIELD: the median of one field over the runs of one server
  awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$rows" | median
}
{
  echo "| server | req/s (median) | p50 ms | p99 ms | req per server CPU-s | vs seed | vs ceiling | non-2xx | socket errors | runs |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  seed_rps=$(median_of seed 3)
  ceiling_rps=$(median_of ceiling 3)
  for name in ceiling onehop seed seed_jwt_string seed_noauth companion; do
    if [[ " ${active[*]} " != *" $name "* ]]; then
      if [[ $name == onehop && " $servers " == *" onehop "* ]]; then
        echo "| onehop serve | pending | pending | pending | pending | pending | pending | - | - | 0 |"
      fi
      continue
    fi
    rps=$(median_of "$name" 3)
    ratio_seed=$(awk -v a="$rps" -v b="$seed_rps" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
    ratio_ceiling=$(awk -v a="$rps" -v b="$ceiling_rps" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }')
    bad=$(awk -v n="$name" '$1 == n { s += $7 } END { print s + 0 }' "$rows")
    errs=$(awk -v n="$name" '$1 == n { s += $8 } END { print s + 0 }' "$rows")
    printf '| %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s | %s |\n' "${label[$name]}" "$rps" \
      "$(median_of "$name" 4)" "$(median_of "$name" 5)" "$(median_of "$name" 10)" "$ratio_seed" "$ratio_ceiling" \
      "$bad" "$errs" "$(awk -v n="$name" '$1 == n' "$rows" | wc -l)"
  done
  if [[ " ${active[*]} " == *" onehop "* ]]; then
    awk -v r="$(median_of onehop 3)" -v p="$(median_of onehop 5)" 'BEGIN {
      printf "\nTarget (onehop >= 80000 req/s with p99 < 2 ms at 64 connections): %s (%.0f req/s, p99 %.2f ms)\n",
        (r >= 80000 && p < 2) ? "met" : "not met", r, p }'
  fi
  # A shared VM's speed drifts by 2x within minutes, so the ratio of two runs measured back to
  # back is steadier than either figure. Per server CPU-second, because the fast servers can push
  # wrk's own core to its limit, where req/s no longer tells them apart.
  if [[ " ${active[*]} " == *" onehop "* && " ${active[*]} " == *" ceiling "* ]]; then
    paired=$(awk '$1 == "ceiling" { c[$2] = $10 } $1 == "onehop" { o[$2] = $10 }
      END { for (r in o) if (c[r] > 0) print o[r] / c[r] }' "$rows" | median)
    awk -v q="$paired" 'BEGIN {
      printf "onehop / ceiling in requests per server CPU-second, run by run (median): %.0f%%", 100 * q
      printf " (at the issue'"'"'s ceiling of ~110,000 req/s on one core: ~%.0f req/s)\n", q * 110000 }'
  fi
} | tee "$work/table.md"
if cp "$work/table.md" "$out" 2>/dev/null && cp "$rows" "${out%.md}-rows.txt" 2>/dev/null; then
  echo "table written to $out, raw rows to ${out%.md}-rows.txt"
fi
