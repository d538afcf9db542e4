#!/bin/bash
# The hot-path check of round 10's end: ./keel serve (this tree), a "before" tree's keel and uWS in one
# compare.py bcast per round and rate, ROUNDS alternating rounds; JSON lines to OUT/rN-RATE.jsonl
# (bench/round8/summ.py OUT summarises them).
# usage: bench/round10/final.sh OUT ROUNDS BEFORE_TREE RATE...   e.g. /tmp/r10final 4 /tmp/wt-before 30 75
cd "$(dirname "$0")/../.."
out=$1 n=$2 before=$3; shift 3; mkdir -p "$out"
export LOADGO=/tmp/keel-peers/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
for r in $(seq "$n"); do
  for rate in "$@"; do base=$((20000 + RANDOM % 20000))
    timeout 900 python3 /tmp/keel-peers/compare.py bcast "-n 2000 -stalled 100 -rate $rate -dur 10s -size 512" \
      "keel=$base=./keel serve --ws-port $base --tcp-port 0 --admin-port 0 $LIM" \
      "keel-before=$((base + 1))=$before/keel serve --ws-port $((base + 1)) --tcp-port 0 --admin-port 0 $LIM" \
      "uws=$((base + 2))=/tmp/keel-peers/servers/uws/run.sh $((base + 2))" > "$out/r$r-$rate.jsonl" 2> "$out/r$r-$rate.err"
  done
done
