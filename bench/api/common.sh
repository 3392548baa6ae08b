# shellcheck shell=bash disable=SC2034  # (variables used by the scripts that source this file)
# Shared by bench/api/run.sh and bench/api/cpu_per_upload.sh (sourced, not run): paths, the build,
# the embedded store, starting and stopping servers, CPU-time readings.
# Expects `root` (the repository) to be set by the caller, and `work` (a scratch folder) before
# any function here runs.

build=${ONEHOP_BUILD:-$root/build/release}
onehop=${ONEHOP_BIN:-$build/src/onehop}
ceiling_bin=${CEILING_BIN:-$build/bench/bench_api_ceiling}
peers=$root/bench/peers
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
access_key=AKIAONEHOPBENCH00001
secret_key=onehopBenchSecretKey0000000000000000000
jwt_secret='onehop-bench-jwt-secret-0123456789abcdef'
bucket=onehop

export AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key JWT_SECRET=$jwt_secret
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_REGION AWS_PROFILE || true
export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 NODE_NO_WARNINGS=1 NODE_ENV=production

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

note() {
  echo "${0##*/}: $*" >&2
}

# Builds onehop and bench_api_ceiling in $build (the release preset by default) unless BUILD=0.
# Re-configures first when the ceiling target is unknown there (bench/ folders are globbed at
# configure time). A failed build is reported, and the run goes on with whatever binaries exist.
build_binaries() {
  [[ ${BUILD:-1} == 1 ]] || return 0
  command -v cmake >/dev/null || die "cmake not found"
  if [[ ! -f $build/build.ninja ]]; then
    if [[ $build == "$root/build/release" ]]; then
      (cd "$root" && cmake --preset release >/dev/null) || die "cmake --preset release failed"
    else
      die "$build is not configured"
    fi
  fi
  local targets
  targets=$(cmake --build "$build" --target help 2>/dev/null || true)
  if [[ $targets != *$'\n'bench_api_ceiling:* ]]; then
    cmake "$build" >/dev/null || die "re-configuring $build failed"
  fi
  local target
  for target in onehop bench_api_ceiling; do
    cmake --build "$build" --target "$target" -j2 >"${work:?}/build-$target.log" 2>&1 ||
      note "building $target failed (see below); using what is there"$'\n'"$(tail -20 "$work/build-$target.log")"
  done
}

# Installs the peers from bench/peers/package-lock.json when they are missing.
install_peers() {
  command -v node >/dev/null || die "node not found"
  if [[ ! -d $peers/node_modules/express || ! -d $peers/node_modules/@uppy/companion ||
    ! -d $peers/node_modules/jsonwebtoken || ! -d $peers/node_modules/aws-sdk ]]; then
    (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in bench/peers failed"
  fi
}

# True when this onehop binary has the `serve` command (listed in its help; `onehop serve --help`
# alone is no test: an unknown subcommand before --help still prints the top-level help, status 0).
serve_available() {
  [[ -x $onehop ]] || return 1
  local help
  help=$("$onehop" --help 2>/dev/null || true)
  grep -qE '^[[:space:]]+serve[[:space:]]' <<<"$help"
}

# Waits at most 30 s for any HTTP answer on a port.
wait_http() {
  local i
  for ((i = 0; i < 120; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then
      return 0
    fi
    sleep 0.25
  done
  return 1
}

# Starts a server in the background pinned to a core: start_pinned NAME CORE PORT COMMAND...
# Its pid goes to pids[NAME]; output to $work/NAME.log. `taskset` execs the command, so the pid
# is the server's own (CPU readings below rely on that).
# NICE (e.g. -15, needs root): run the whole benchmark at that priority, so that on a machine
# shared with background compiles it gets most of both cores back. With the scheduler's
# autogroups (kernel.sched_autogroup_enabled=1) a process's own nice value only counts against
# processes of its own session, so the script re-runs itself in a new session (setsid) and sets
# that session's autogroup nice. Unset: normal priority. Call first, with the script's arguments.
prioritize() {
  [[ -n ${NICE:-} ]] || return 0
  if [[ -z ${ONEHOP_BENCH_SESSION:-} ]]; then
    command -v setsid >/dev/null || die "setsid not found (util-linux)"
    export ONEHOP_BENCH_SESSION=1
    exec setsid -w "$0" "$@"
  fi
  if [[ -w /proc/self/autogroup ]]; then
    echo "$NICE" >/proc/$$/autogroup || note "could not set the autogroup's nice to $NICE"
  fi
  renice -n "$NICE" -p $$ >/dev/null || note "could not renice to $NICE"
}

declare -A pids
start_pinned() {
  local name=$1 core=$2 port=$3
  shift 3
  taskset -c "$core" "$@" >"$work/$name.log" 2>&1 &
  pids[$name]=$!
  if ! wait_http "$port"; then
    note "$name does not answer on port $port:"$'\n'"$(tail -20 "$work/$name.log")"
    stop_server "$name"
    return 1
  fi
}

stop_server() {
  local pid=${pids[$1]:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "pids[$1]"
}

stop_all() {
  local name
  for name in "${!pids[@]}"; do
    stop_server "$name"
  done
}

# The embedded store, on the client's core (it is idle during the API runs), bucket created.
start_store() {
  local port=$1
  [[ -x $onehop ]] || die "$onehop not found: build it first (cmake --preset release && cmake --build build/release --target onehop)"
  start_pinned store "$client_cpu" "$port" "$onehop" store --listen "127.0.0.1:$port" \
    --data "$work/store" --bucket "$bucket" --access-key "$access_key" --secret-key "$secret_key" \
    --threads 1 || die "the store did not start"
}

# `onehop serve`'s configuration: one API thread, no rate limit, no quota.
write_serve_config() {
  local file=$1 port=$2 store_port=$3
  cat >"$file" <<TOML
[api]
listen = "127.0.0.1:$port"
threads = 1
[storage]
endpoint = "http://127.0.0.1:$store_port"
bucket = "$bucket"
region = "us-east-1"
access_key_id = "$access_key"
secret_access_key = "$secret_key"
[auth]
jwt_secret = "$jwt_secret"
[rate_limit]
enabled = false
[database]
path = "$work/onehop.db"
[uploads]
quota_bytes = 0
quota_count = 0
TOML
}

# CPU time of a process in clock ticks (user + system, all its threads, exited ones included).
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# CPU time of a process's live threads in nanoseconds (first field of each task's schedstat):
# the precise figure for short measurements; threads must not come and go during one.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
