#!/usr/bin/env bash
# A one-host Ceph cluster (one mon, one bluestore OSD on a sparse file, one radosgw) on 127.0.0.1,
# everything under DIR. Recipe: /work/shared/reference/ceph-rgw-single-host.md.
#
# Usage: ceph-rgw.sh start DIR PORT   starts the daemons, creates the S3 user, prints
#                                     "pids MON OSD RGW" once radosgw answers on PORT
#        ceph-rgw.sh stop DIR [PORT]  stops the daemons started in DIR (by their PIDs)
# Env:   CEPH_ACCESS_KEY / CEPH_SECRET_KEY  the S3 user's keys (defaults below)
#        CEPH_PORT_BASE                     first of the mon/OSD ports (default: PORT + 100)
# Needs: ceph-mon ceph-osd radosgw ceph-common (bench/store/install-peers.sh). Start-up ~20 s.
set -euo pipefail

die() {
  echo "ceph-rgw.sh: $*" >&2
  exit 1
}

[[ $# -ge 2 ]] || die "usage: $0 start|stop DIR [PORT]"
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
port=${3:-7480}
access_key=${CEPH_ACCESS_KEY:-BENCHCEPHACCESSKEY01}
secret_key=${CEPH_SECRET_KEY:-benchCephSecretKey0000000000000000000000}
base=${CEPH_PORT_BASE:-$((port + 100))}
mon_v2=$base
mon_v1=$((base + 1))
conf=$dir/ceph.conf

# Polls `cmd` every 0.25 s for at most `seconds`.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local tries=$((seconds * 4))
  for ((i = 0; i < tries; i++)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.25
  done
  die "timed out after ${seconds}s waiting for $what (logs in $dir/log)"
}

stop() {
  for name in rgw osd mon; do
    local f=$dir/run/$name.pid
    if [[ -f $f ]]; then
      local pid
      pid=$(cat "$f")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 40; i++)); do
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.25
        done
        kill -KILL "$pid" 2>/dev/null || true
      fi
      rm -f "$f"
    fi
  done
}

osd_up() { ceph -c "$conf" osd dump 2>/dev/null | grep -q '^osd.0 up'; }
rgw_answers() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/") == 200 ]]; }

start() {
  mkdir -p "$dir"/{run,log,crash,mon/ceph-a,osd/ceph-0,rgw/ceph-rgw.a}
  local fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]
mon_initial_members = a
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
ms_bind_port_min = $((base + 2))
ms_bind_port_max = $((base + 40))
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc
ms_client_mode = crc
ms_mon_service_mode = crc
ms_service_mode = crc
ms_mon_cluster_mode = crc
ms_cluster_mode = crc
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_crush_chooseleaf_type = 0
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000
run_dir = $dir/run
admin_socket = $dir/run/\$cluster-\$name.asok
log_file = $dir/log/\$cluster-\$name.log
crash_dir = $dir/crash
keyring = $dir/keyring
mon_data = $dir/mon/\$cluster-\$id
osd_data = $dir/osd/\$cluster-\$id
rgw_data = $dir/rgw/\$cluster-\$id
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = 21474836480
osd_memory_target = 1073741824

[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$port
rgw_dns_name = localhost
EOF
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
    --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]" \
    "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"

  ceph-mon -c "$conf" -i a -f >"$dir/log/mon.out" 2>&1 &
  echo $! >"$dir/run/mon.pid"
  wait_for 30 "the monitor" ceph -c "$conf" --connect-timeout 5 quorum_status

  local osd_uuid
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph -c "$conf" osd new "$osd_uuid" >/dev/null
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.out" 2>&1 ||
    die "ceph-osd --mkfs failed: $(tail -5 "$dir/log/osd-mkfs.out")"
  ceph-osd -c "$conf" -i 0 -f >"$dir/log/osd.out" 2>&1 &
  echo $! >"$dir/run/osd.pid"
  wait_for 60 "the OSD" osd_up

  radosgw -c "$conf" -n client.rgw.a -f >"$dir/log/rgw.out" 2>&1 &
  echo $! >"$dir/run/rgw.pid"
  wait_for 90 "radosgw on port $port" rgw_answers

  radosgw-admin -c "$conf" user create --uid=bench --display-name=bench \
    --access-key="$access_key" --secret="$secret_key" >/dev/null
  echo "pids $(cat "$dir/run/mon.pid") $(cat "$dir/run/osd.pid") $(cat "$dir/run/rgw.pid")"
}

case $action in
  start)
    # A failed start leaves nothing running.
    trap 'stop' EXIT
    start
    trap - EXIT
    ;;
  stop) stop ;;
  *) die "unknown action '$action' (start or stop)" ;;
esac
