#!/bin/bash
# Round 12's alternating runs: ./keel serve as shipped, ./keel serve with more JVM options, and uWS, one
# compare.py bcast per round and rate (one server at a time, the harness's pinning), ROUNDS rounds.
# The second arm is named by ARM (default keel-opts); ARGS2 are more flags for it (after serve's).
# JSON lines to OUT/rN-RATE.jsonl; bench/round8/summ.py OUT summarises them.
# usage: bench/round12/arms.sh OUT ROUNDS "PREFIX" RATE...   (PREFIX goes before the second arm's ./keel serve)
#   e.g. bench/round12/arms.sh /tmp/r12nice 5 "env KEEL_JAVA_OPTS='-XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=19'" 30 75
cd "$(dirname "$0")/../.."
out=$1 n=$2 prefix=$3; shift 3; mkdir -p "$out"
export LOADGO=/tmp/keel-peers/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
for r in $(seq "$n"); do
  for rate in "$@"; do base=$((20000 + RANDOM % 20000))
    timeout 900 python3 /tmp/keel-peers/compare.py bcast "-n 2000 -stalled 100 -rate $rate -dur 10s -size 512" \
      "keel=$base=./keel serve --ws-port $base --tcp-port 0 --admin-port 0 $LIM" \
      "${ARM:-keel-opts}=$((base + 1))=$prefix ./keel serve --ws-port $((base + 1)) --tcp-port 0 --admin-port 0 $LIM ${ARGS2:-}" \
      "uws=$((base + 2))=/tmp/keel-peers/servers/uws/run.sh $((base + 2))" > "$out/r$r-$rate.jsonl" 2> "$out/r$r-$rate.err"
  done
  echo "$(date -u +%T) round $r done"
done
