#!/bin/bash
# One benchmark run as in docs/benchmarks.md: a fresh server pinned to core 0, `keel load` pinned to
# core 1, the server's CPU (user/sys ticks from /proc) around the run, then the server stopped.
#
#   bench/run.sh SERVER_DIR TAG [EXTRA SERVER FLAGS...] -- SCENARIO [LOAD ARGS...]
#   bench/run.sh . ramp-1 -- ramp -n 2000 --stalled 100 -b 512 --start-rate 20 --step-factor 1.25 \
#       --step-duration 8s --max-steps 14 --warmup-time 20s
#   KEEL_JAVA_OPTS="-Xms256m -Xmx256m -XX:+AlwaysPreTouch" bench/run.sh . idle-1 -- idle -n 10000 --duration 20s
#
# SERVER_DIR is a checkout whose ./keel starts the server (another commit's worktree, for A/B runs);
# the load tool is always this checkout's. Reports go to bench/out/TAG.{json,html,load.log,server.log}.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$1; tag=$2; shift 2
extra=()
while [ "$1" != "--" ]; do extra+=("$1"); shift; done; shift
mkdir -p "$here/bench/out"; out="$here/bench/out/$tag"
taskset -c 0 "$dir/keel" serve --ws-port 28080 --tcp-port 29090 --admin-port 29100 --admin-allow-gc \
  --max-connections-per-ip 100000 --connect-rate-per-ip 100000 --connect-burst-per-ip 100000 "${extra[@]}" \
  > "$out.server.log" 2>&1 &
for _ in $(seq 150); do curl -sf http://127.0.0.1:29100/healthz >/dev/null 2>&1 && break; sleep 0.2; done
jpid=$(pgrep -f "keel-server.jar serve --ws-port 28080" | head -1)
t0=$(awk '{print $14" "$15}' "/proc/$jpid/stat")
/usr/bin/time -f "tool cpu %U+%S s wall %e s" taskset -c 1 "$here/keel" load "$@" --ws-port 28080 --tcp-port 29090 \
  --admin-url http://127.0.0.1:29100 --quiet --json "$out.json" --html "$out.html" > "$out.load.log" 2>&1
echo "exit $?" >> "$out.load.log"
t1=$(awk '{print $14" "$15}' "/proc/$jpid/stat")
echo "server cpu user/sys ticks (1/100 s) before: $t0 after: $t1" >> "$out.load.log"
kill "$jpid"; wait 2>/dev/null
tail -25 "$out.load.log"
