#!/usr/bin/env bash
# Presigned PUT URLs per second, one core each: the onehop library, `onehop presign --stdin`,
# botocore, and the AWS SDK for JavaScript v2 and v3.
#
# Usage: bench/presign/run.sh            (after `cmake --preset release && cmake --build build/release`)
# Env:   ONEHOP_BUILD   build directory (default: build/release)
#        RUNS           runs per contender, the median is reported (default: 5)
#        KEYS           keys fed to `onehop presign --stdin` per run (default: 2000000)
#        CPU            core to pin every contender to (default: 1)
#        OUT            where the table is written as well (default: bench/results/presign.md)
#
# Builds nothing. Every contender signs the same shape of request: path-style PUT to
# http://127.0.0.1:9000/bench-bucket/uploads/u<i%1000>/img-<i>.jpg, signed Content-Type
# image/jpeg, 3600 s expiry, the same fake credentials (bench/peers/common.js). Before timing, each
# contender signs key 0 at a frozen date and its URL is compared with onehop's.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${ONEHOP_BUILD:-$root/build/release}
runs=${RUNS:-5}
keys=${KEYS:-2000000}
cpu=${CPU:-1}
out=${OUT:-$root/bench/results/presign.md}
peers=$root/bench/peers
onehop=$build/src/onehop
library_bench=$build/bench/bench_presign
python=/usr/bin/python3
check_date=20240101T000000Z

die() {
  echo "run.sh: $*" >&2
  exit 1
}

[[ -x $onehop ]] || die "$onehop not found: build the release preset first"
[[ -x $library_bench ]] || die "$library_bench not found: build the release preset first"
command -v node >/dev/null || die "node not found"
command -v taskset >/dev/null || die "taskset not found (util-linux)"
if [[ ! -d $peers/node_modules/aws-sdk || ! -d $peers/node_modules/@aws-sdk/s3-request-presigner ]]; then
  (cd "$peers" && npm ci --no-audit --no-fund >/dev/null)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_REGION || true
export BOTO_DISABLE_CRT=true NODE_NO_WARNINGS=1 AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1

onehop_args=(presign --method PUT --bucket bench-bucket --endpoint http://127.0.0.1:9000
  --region us-east-1 --path-style --expires 3600 --header 'Content-Type: image/jpeg')

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- same work: every contender's URL for key 0 at a frozen date ---------------------------------
reference=$("$onehop" "${onehop_args[@]}" --key uploads/u0/img-0.jpg --date $check_date)
declare -A first_url
first_url[botocore]=$($python "$peers/presign_botocore.py" --count 1 --warmup 0 --date $check_date | sed -n 's/^first_url //p')
first_url[v2]=$(node "$peers/presign_js_v2.js" --count 1 --warmup 0 --date $check_date | sed -n 's/^first_url //p')
first_url[v3]=$(node "$peers/presign_js_v3.js" --count 1 --warmup 0 --date $check_date | sed -n 's/^first_url //p')
echo "onehop URL for key 0 at $check_date:"
echo "  $reference"
for name in botocore v2 v3; do
  if [[ ${first_url[$name]} == "$reference" ]]; then
    echo "  $name: identical"
  else
    echo "  $name: differs: ${first_url[$name]}"
  fi
done
[[ ${first_url[botocore]} == "$reference" ]] || die "botocore and onehop disagree: not the same work"

# --- the library (Google Benchmark, bench/presign/library_bench.cpp) -----------------------------
taskset -c "$cpu" "$library_bench" --benchmark_repetitions="$runs" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$work/library.json"
# One row per benchmark: its median items_per_second.
library_rows=$($python - "$work/library.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
for b in data["benchmarks"]:
    if b.get("aggregate_name") == "median" and "items_per_second" in b:
        print(f'{b["run_name"]}\t{b["items_per_second"]:.0f}')
PY
)

# --- onehop presign --stdin -------------------------------------------------------------------------
awk -v n="$keys" 'BEGIN { for (i = 0; i < n; ++i) printf "uploads/u%d/img-%d.jpg\n", i % 1000, i }' >"$work/keys.txt"
lines=$("$onehop" "${onehop_args[@]}" --stdin <"$work/keys.txt" | wc -l)
[[ $lines == "$keys" ]] || die "onehop presign --stdin printed $lines lines for $keys keys"
cli_seconds=()
for ((r = 0; r < runs; ++r)); do
  start=$(date +%s.%N)
  taskset -c "$cpu" "$onehop" "${onehop_args[@]}" --stdin <"$work/keys.txt" >/dev/null
  end=$(date +%s.%N)
  cli_seconds+=("$(echo "$end - $start" | bc -l)")
done
cli_median=$(printf '%s\n' "${cli_seconds[@]}" | median)
cli_rate=$(echo "$keys / $cli_median" | bc -l | xargs printf '%.0f')

# --- peers ------------------------------------------------------------------------------------------
peer_rate() {  # name, command...: median urls_per_second over $runs runs
  local name=$1
  shift
  local rates=()
  for ((r = 0; r < runs; ++r)); do
    rates+=("$(taskset -c "$cpu" "$@" | sed -n 's/.* urls_per_second \([0-9.]*\)$/\1/p')")
  done
  printf '%s\n' "${rates[@]}" | median | xargs printf '%.0f'
}
botocore_rate=$(peer_rate botocore $python "$peers/presign_botocore.py" --count 20000)
v2_rate=$(peer_rate v2 node "$peers/presign_js_v2.js" --count 30000)
v3_rate=$(peer_rate v3 node "$peers/presign_js_v3.js" --count 10000)

# --- table ------------------------------------------------------------------------------------------
row() {  # contender, rate
  printf '| %s | %s | %sx |\n' "$1" "$2" "$(echo "$2 / $botocore_rate" | bc -l | xargs printf '%.1f')"
}
{
  echo "Presigned PUT URLs per second, one core (taskset -c $cpu), median of $runs runs."
  echo "$(lscpu | sed -n 's/^Model name: *//p'), $(date -u +%Y-%m-%d)."
  echo
  echo "| contender | URLs/s | vs botocore |"
  echo "| --- | ---: | ---: |"
  while IFS=$'\t' read -r name rate; do
    [[ -n $name ]] && row "onehop library ($name)" "$rate"
  done <<<"$library_rows"
  row "onehop presign --stdin ($keys keys, output to /dev/null)" "$cli_rate"
  row "botocore $($python -c 'import botocore; print(botocore.__version__)') generate_presigned_url" "$botocore_rate"
  row "aws-sdk (JS v2) $(node -p 'require("'"$peers"'/node_modules/aws-sdk/package.json").version') getSignedUrl" "$v2_rate"
  row "@aws-sdk/s3-request-presigner (JS v3) $(node -p 'require("'"$peers"'/node_modules/@aws-sdk/s3-request-presigner/package.json").version') getSignedUrl" "$v3_rate"
} | tee "$work/table.md"
mkdir -p "$(dirname "$out")"
cp "$work/table.md" "$out"
