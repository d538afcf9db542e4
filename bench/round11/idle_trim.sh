#!/usr/bin/env bash
# Idle RSS per connection, as side-by-side.sh idle measures it, for keel serve as shipped and with
# another --native-heap-trim interval, alternating: bench/round11/idle_trim.sh ROUNDS N INTERVAL OUT
# (from the project's root, peers set up, nothing else running). One JSON line per server and round.
set -euo pipefail
rounds=${1:-3}; n=${2:-10000}; interval=${3:-1s}; out=${4:-/tmp/r11idle}
DIR=${KEEL_PEERS:-/tmp/keel-peers}
export LOADGO=$DIR/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  a=$(( 20000 + RANDOM % 20000 )); b=$((a + 1))
  python3 "$DIR/compare.py" idle "$n" \
    "keel=$a=./keel serve --ws-port $a --tcp-port 0 --admin-port 0 $LIM" \
    "keel-trim$interval=$b=./keel serve --ws-port $b --tcp-port 0 --admin-port 0 $LIM --native-heap-trim $interval" \
    | tee -a "$out/idle.jsonl"
done
