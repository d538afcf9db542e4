#!/bin/bash
# Alternating A/B rounds through the side-by-side harness: ./keel serve against other arms, at one rate.
#   bench/round8/ab.sh OUT RATE N ARM...
# Each ARM is NAME=COMMAND, a command that ends in `serve` (the port flags and the raised per-address
# limits are appended). One compare.py bcast per round over keel and every ARM; JSON lines in OUT/rN-RATE.jsonl.
# Round 8's A/Bs (docs/benchmarks.md), RATE 30:
#   tidy-up:   ab.sh /tmp/ab1 30 6 "keel-notidy=env KEEL_JAVA_OPTS=-XX:+DisableExplicitGC ./keel serve"
#   before:    ab.sh /tmp/ab2 30 8 "keel-before=/tmp/wt-before/keel serve"
#   listener:  ab.sh /tmp/ab3 30 6 "keel-listener=/tmp/wt-lonly/keel serve" "keel-before=/tmp/wt-before/keel serve"
#   encoder:   ab.sh /tmp/ab4 30 7 "keel-encoder=/tmp/wt-enc/keel serve"
#   threshold: ab.sh /tmp/ab5 30 7 "keel-cts05=env KEEL_JAVA_OPTS=-XX:CompileThresholdScaling=0.5 ./keel serve"
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOADGO=/tmp/keel-peers/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
out=$1; RATE=$2; N=$3; shift 3; mkdir -p "$out"
for r in $(seq "$N"); do base=$((20000 + RANDOM % 20000))
  specs=("keel=$base=./keel serve --ws-port $base --tcp-port 0 --admin-port 0 $LIM")
  i=1
  for arm in "$@"; do
    port=$((base + i)); i=$((i + 1))
    specs+=("${arm%%=*}=$port=${arm#*=} --ws-port $port --tcp-port 0 --admin-port 0 $LIM")
  done
  python3 /tmp/keel-peers/compare.py bcast "-n 2000 -stalled 100 -rate $RATE -dur 10s -size 512" "${specs[@]}" \
    > "$out/r$r-$RATE.jsonl" 2> "$out/r$r-$RATE.err"
  echo "$(date +%T) round $r done"
done
