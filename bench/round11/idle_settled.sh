#!/usr/bin/env bash
# Idle RSS per subscribed WebSocket connection once the server has settled: the harness's sequence
# (side-by-side.sh idle: 200 connections first, then N held), but each RSS reading waits for the
# server's own native-heap trim after the connects (keel_native_heap_trims_total rising), then a GC.
#   bench/round11/idle_settled.sh ROUNDS N [DIR]   (DIR: a checkout with ./keel; default .)
set -euo pipefail
rounds=${1:-3}; n=${2:-10000}; dir=${3:-.}
LOAD=${KEEL_PEERS:-/tmp/keel-peers}/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
cd "$dir"
for r in $(seq 1 "$rounds"); do
  port=$(( 20000 + RANDOM % 20000 )); admin=$((port + 1))
  taskset -c 0 ./keel serve --ws-port $port --tcp-port 0 --admin-port $admin $LIM > /tmp/idle-settled.log 2>&1 &
  pid=$!
  until curl -sf localhost:$port/healthz >/dev/null 2>&1; do sleep 0.2; done
  jpid=$(for p in $(pgrep -P $pid) $pid; do grep -q java /proc/$p/comm && echo $p; done | head -1)
  trims() { curl -s localhost:$admin/metrics | awk '/^keel_native_heap_trims_total/{print int($2)}'; }
  settle() { # the next trim (at most 30 s), then a GC; prints RSS in KiB
    local t0=$1 end=$((SECONDS + 30))
    while [ "$(trims)" -le "$t0" ] && [ $SECONDS -lt $end ]; do sleep 0.5; done
    jcmd $jpid GC.run >/dev/null; sleep 2; awk '/VmRSS/{print $2}' /proc/$jpid/status
  }
  t=$(trims)
  $LOAD -mode idle -n 200 -hold 2s -url ws://127.0.0.1:$port/ws -topic idle >/dev/null
  base=$(settle "$t")
  t=$(trims)
  taskset -c 1 $LOAD -mode idle -n "$n" -hold 600s -url ws://127.0.0.1:$port/ws -topic idle > /tmp/idle-settled-load.txt &
  lp=$!
  until grep -q READY /tmp/idle-settled-load.txt; do sleep 0.2; done
  loaded=$(settle "$t")
  kill -9 $lp; wait $lp 2>/dev/null || true
  kill $pid; wait $pid 2>/dev/null || true
  python3 -c "import sys; b,l,n=map(int,sys.argv[1:]); print(f'base {b/1024:.1f} MiB, loaded {l/1024:.1f} MiB, {(l-b)/n:.2f} KiB per connection')" "$base" "$loaded" "$n"
done
