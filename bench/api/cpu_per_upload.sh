#!/usr/bin/env bash
# The seed's claim, measured: app-server CPU per uploaded image, 2-hop against 1-hop.
#
#   2-hop  the client POSTs each image to an Express relay (bench/peers/relay_server.js), which
#          checks the JWT and streams the body on to the store with aws-sdk v2 `s3.upload`.
#   1-hop  the client asks `onehop serve` for an upload (POST /api/uploads), PUTs the bytes
#          straight to the store with the returned URL and headers, then calls
#          POST /api/uploads/{id}/complete (onehop checks the stored object: size, type, magic
#          bytes) before the image is recorded.
#
# Usage: bench/api/cpu_per_upload.sh    (builds onehop in build/release first, like run.sh)
# Env:   UPLOADS      uploads per measured run (default: 50); CONCURRENCY (default: 4)
#        SIZE         bytes per image (default: 2097152, a PNG header + random bytes)
#        RUNS         measured runs per design, medians reported (default: 3)
#        WARMUP_UPLOADS  unmeasured uploads first, so node's JIT is warm (default: 10)
#        ONEHOP_BUILD, BUILD=0, SERVER_CPU / CLIENT_CPU (0 / 1), BASE_PORT (19600), OUT, NICE (as run.sh)
#
# Measured: user+system CPU of the app-server process over one run (relay: the node process;
# onehop: the `onehop serve` process), from /proc/PID/task/*/schedstat (nanoseconds, all threads),
# divided by the uploads; the store's CPU is shown too (the same bytes land there in both designs).
# Raw rows: design, run, uploads, wall s, app-server CPU ms/upload, store CPU ms/upload, and the
# app server's CPU ms/upload again from /proc/PID/stat (clock ticks: coarse, but it also counts
# threads that exited during the run; the two should agree).
# The app server runs on SERVER_CPU; the store and the client share CLIENT_CPU. CPU time, not
# wall-clock time, so the figure holds on a busy machine. Each run is bounded: UPLOADS uploads,
# each with a 60 s timeout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/api/common.sh
source "$here/common.sh"
prioritize "$@"
work=$(mktemp -d "${TMPDIR:-/tmp}/onehop-bench-cpu.XXXXXX")

uploads=${UPLOADS:-50}
concurrency=${CONCURRENCY:-4}
size=${SIZE:-2097152}
runs=${RUNS:-3}
warmup_uploads=${WARMUP_UPLOADS:-10}
base_port=${BASE_PORT:-19600}
out=${OUT:-$build/bench-cpu-per-upload.md}
store_port=$base_port
relay_port=$((base_port + 1))
serve_port=$((base_port + 2))

cleanup() {
  stop_all
  rm -rf "$work"
}
trap cleanup EXIT

command -v taskset >/dev/null || die "taskset not found (util-linux)"
command -v curl >/dev/null || die "curl not found"
build_binaries
install_peers

token=$(node "$here/make_jwt.js" "$jwt_secret" bench-user 86400)
image=$work/image.png
node "$here/make_png.js" "$image" "$size"

echo "cpu_per_upload: $uploads uploads of $size bytes, $concurrency at a time, $runs runs; load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
start_store "$store_port"

designs=()
PORT=$relay_port RELAY_ENDPOINT=http://127.0.0.1:$store_port RELAY_BUCKET=$bucket \
  start_pinned relay "$server_cpu" "$relay_port" node "$peers/relay_server.js" && designs+=(relay)
if serve_available; then
  write_serve_config "$work/serve.toml" "$serve_port" "$store_port"
  start_pinned onehop "$server_cpu" "$serve_port" "$onehop" serve --config "$work/serve.toml" &&
    designs+=(onehop)
else
  echo "onehop serve not available"
fi

url_of() {
  if [[ $1 == relay ]]; then echo "http://127.0.0.1:$relay_port"; else echo "http://127.0.0.1:$serve_port"; fi
}

client() { # client DESIGN N LOG
  taskset -c "$client_cpu" node "$here/upload_client.js" "$1" "$(url_of "$1")" "$image" "$2" \
    "$concurrency" "$token" 2>"$3"
}

for design in "${designs[@]}"; do
  client "$design" "$warmup_uploads" "$work/warmup-$design.err" >/dev/null ||
    die "$design: warm-up uploads failed: $(head -5 "$work/warmup-$design.err")"
done

rows=$work/rows.txt
: >"$rows"
for ((r = 1; r <= runs; r++)); do
  for design in "${designs[@]}"; do
    server=${pids[$design]}
    store=${pids[store]}
    server_before=$(cpu_ns "$server")
    ticks_before=$(cpu_ticks "$server")
    store_before=$(cpu_ns "$store")
    result=$(client "$design" "$uploads" "$work/run-$design-$r.err") ||
      die "$design: uploads failed: $(head -5 "$work/run-$design-$r.err")"
    server_after=$(cpu_ns "$server")
    ticks_after=$(cpu_ticks "$server")
    store_after=$(cpu_ns "$store")
    read -r _ count _ _ _ seconds <<<"$result"
    awk -v d="$design" -v r="$r" -v n="$count" -v s="$seconds" -v a="$server_before" -v b="$server_after" \
      -v c="$store_before" -v e="$store_after" -v t="$((ticks_after - ticks_before))" -v hz="$(getconf CLK_TCK)" \
      'BEGIN { printf "%s %d %d %.3f %.3f %.3f %.1f\n", d, r, n, s, (b - a) / 1e6 / n, (e - c) / 1e6 / n, t * 1000 / hz / n }' |
      tee -a "$rows"
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"

median_of() { # median_of DESIGN FIELD
  awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$rows" | median
}
{
  echo "| design | app server | app-server CPU ms per upload (median) | store CPU ms per upload | wall s per run | uploads per run | runs |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
  if [[ " ${designs[*]} " == *" relay "* ]]; then
    printf '| 2-hop | Express relay + aws-sdk v2 s3.upload | %.3f | %.3f | %.2f | %d | %d |\n' \
      "$(median_of relay 5)" "$(median_of relay 6)" "$(median_of relay 4)" "$uploads" "$runs"
  fi
  if [[ " ${designs[*]} " == *" onehop "* ]]; then
    printf '| 1-hop | onehop serve (create + complete; client PUTs to the store) | %.3f | %.3f | %.2f | %d | %d |\n' \
      "$(median_of onehop 5)" "$(median_of onehop 6)" "$(median_of onehop 4)" "$uploads" "$runs"
    ratio=$(awk -v a="$(median_of relay 5)" -v b="$(median_of onehop 5)" 'BEGIN { if (a > 0 && b > 0) printf "%.1f", a / b; else print "-" }')
    echo
    echo "App-server CPU per upload, 2-hop / 1-hop: ${ratio}x"
  else
    echo "| 1-hop | onehop serve | pending | pending | pending | - | 0 |"
  fi
} | tee "$work/table.md"
if cp "$work/table.md" "$out" 2>/dev/null && cp "$rows" "${out%.md}-rows.txt" 2>/dev/null; then
  echo "table written to $out, raw rows to ${out%.md}-rows.txt"
fi
