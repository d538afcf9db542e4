#!/usr/bin/env bash
# What the server's core was doing during a fresh server's worst messages (docs/benchmarks.md, round 7):
# one ./keel serve on core 0, the per-message loader (bench/lat_per_message.sh builds it) on core 1
# starting about a second after the port answers (as the side-by-side harness does; READY=1 waits for
# /healthz 200 instead, i.e. until the warm-up has run), `perf sched record` on core 0 during the
# measured run, and a GC/safepoint log in wall time. Then bench/stall_windows.py TAG RATE lists the
# worst messages with every thread's share of core 0 while each was in flight.
# Usage: bench/stall_trace.sh [RATE msg/s, default 30] [TAG, default t]
#   WARM=1: one unmeasured loader run first (a warm server); PERF=0: no scheduler trace;
#   XOPTS: more JVM flags (e.g. -XX:+PrintCompilation, whose lines land in /tmp/TAG.serve.log)
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-30}; TAG=${2:-t}
BIN=/tmp/keel-loadgo-seqlat/loadgo
[ -x "$BIN" ] || { echo "run bench/lat_per_message.sh once first (it builds $BIN)" >&2; exit 2; }
PORT=$((30000 + RANDOM % 5000))
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
KEEL_JAVA_OPTS="-Xlog:gc*,safepoint:file=/tmp/$TAG.gc.log:time,uptime ${XOPTS:-}" taskset -c 0 ./keel serve \
  --ws-port $PORT --tcp-port 0 --admin-port 0 $LIM ${KEEL_ARGS:-} > /tmp/$TAG.serve.log 2>&1 &
if [ "${READY:-0}" = 1 ]; then
  for _ in $(seq 300); do curl -sf -o /dev/null "localhost:$PORT/healthz" && break; sleep 0.1; done
else
  for _ in $(seq 100); do curl -s -o /dev/null "localhost:$PORT/healthz" && break; sleep 0.2; done
fi
sleep 1
L="-mode broadcast -url ws://127.0.0.1:$PORT/ws -n 2000 -stalled 100 -rate $RATE -dur 10s -size 512"
if [ "${WARM:-0}" = 1 ]; then taskset -c 1 "$BIN" $L > /dev/null 2>&1; fi
PP=
if [ "${PERF:-1}" = 1 ]; then
  # perf's clock is CLOCK_MONOTONIC; the loader logs wall time: keep the offset between them
  python3 -c "import time; print(time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_MONOTONIC))" > /tmp/$TAG.off
  perf sched record -k mono -C 0 -o /tmp/$TAG.sched.data > /tmp/$TAG.perf.log 2>&1 &
  PP=$!
  sleep 0.5
fi
LATFILE=/tmp/$TAG.lat.txt taskset -c 1 "$BIN" $L 2>/dev/null | tail -1 > /tmp/$TAG.run.json
if [ -n "$PP" ]; then kill -INT "$PP"; wait "$PP" || true; fi
pkill -f "keel-server.jar serve --ws-port $PORT" || true
cat /tmp/$TAG.run.json
