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
# Reports two rates per contender: wall clock, and URLs per CPU-second (user + system time of the
# process, or of the timed loop for the peers). On an idle core they agree; on a shared machine
# the CPU figure is the one to compare, since wall-clock time also counts other processes' turns.
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
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
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
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$work/library.json" 2>/dev/null
# One row per benchmark: name, median wall rate, median CPU rate (Google Benchmark's
# items_per_second is per CPU second).
library_rows=$($python - "$work/library.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
# With one repetition Google Benchmark reports the run itself and no aggregates.
medians = [b for b in data["benchmarks"] if b.get("aggregate_name") == "median"]
for b in medians or data["benchmarks"]:
    if "items_per_second" in b:
        scale = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1}[b.get("time_unit", "ns")]
        print(f'{b["run_name"]}\t{scale / b["real_time"]:.0f}\t{b["items_per_second"]:.0f}')
PY
)

# --- onehop presign --stdin -------------------------------------------------------------------------
awk -v n="$keys" 'BEGIN { for (i = 0; i < n; ++i) printf "uploads/u%d/img-%d.jpg\n", i % 1000, i }' >"$work/keys.txt"
lines=$("$onehop" "${onehop_args[@]}" --stdin <"$work/keys.txt" | wc -l)
[[ $lines == "$keys" ]] || die "onehop presign --stdin printed $lines lines for $keys keys"
: >"$work/cli_times"
for ((r = 0; r < runs; ++r)); do
  # wall, user, system seconds of the whole process (start-up and I/O included)
  /usr/bin/time -f '%e %U %S' -a -o "$work/cli_times" \
    taskset -c "$cpu" "$onehop" "${onehop_args[@]}" --stdin <"$work/keys.txt" >/dev/null
done
cli_wall=$(awk -v n="$keys" '{ print n / $1 }' "$work/cli_times" | median | xargs printf '%.0f')
cli_cpu=$(awk -v n="$keys" '{ print n / ($2 + $3) }' "$work/cli_times" | median | xargs printf '%.0f')

# --- peers ------------------------------------------------------------------------------------------
peer_rates() {  # command...: "<median wall rate> <median CPU rate>" over $runs runs
  : >"$work/peer"
  for ((r = 0; r < runs; ++r)); do
    taskset -c "$cpu" "$@" | sed -n 's/.* urls_per_second \([0-9.]*\) urls_per_cpu_second \([0-9.]*\)$/\1 \2/p' >>"$work/peer"
  done
  [[ $(wc -l <"$work/peer") == "$runs" ]] || die "$* did not report its rate"
  echo "$(awk '{ print $1 }' "$work/peer" | median | xargs printf '%.0f')" \
    "$(awk '{ print $2 }' "$work/peer" | median | xargs printf '%.0f')"
}
read -r botocore_wall botocore_cpu < <(peer_rates $python "$peers/presign_botocore.py" --count 20000)
read -r v2_wall v2_cpu < <(peer_rates node "$peers/presign_js_v2.js" --count 30000)
read -r v3_wall v3_cpu < <(peer_rates node "$peers/presign_js_v3.js" --count 10000)

# --- table ------------------------------------------------------------------------------------------
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.1f'; }
row() {  # contender, wall rate, CPU rate
  printf '| %s | %s | %s | %sx |\n' "$1" "$2" "$3" "$(ratio "$3" "$botocore_cpu")"
}
{
  echo "Presigned PUT URLs per second on one core (taskset -c $cpu), median of $runs runs."
  echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u +%Y-%m-%d)."
  echo
  echo "| contender | URLs/s (wall clock) | URLs per CPU-second | vs botocore (CPU) |"
  echo "| --- | ---: | ---: | ---: |"
  while IFS=$'\t' read -r name wall rate; do
    [[ -n $name ]] && row "onehop library: $name" "$wall" "$rate"
  done <<<"$library_rows"
  row "onehop presign --stdin ($keys keys from a file, output to /dev/null; whole process)" "$cli_wall" "$cli_cpu"
  row "botocore $($python -c 'import botocore; print(botocore.__version__)') generate_presigned_url" "$botocore_wall" "$botocore_cpu"
  row "aws-sdk (JS v2) $(node -p 'require("'"$peers"'/node_modules/aws-sdk/package.json").version') getSignedUrl, node $(node --version)" "$v2_wall" "$v2_cpu"
  row "@aws-sdk/s3-request-presigner (JS v3) $(node -p 'require("'"$peers"'/node_modules/@aws-sdk/s3-request-presigner/package.json").version') getSignedUrl" "$v3_wall" "$v3_cpu"
} | tee "$work/table.md"
mkdir -p "$(dirname "$out")"
cp "$work/table.md" "$out"
