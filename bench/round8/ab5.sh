#!/bin/bash
# A/B: keel vs the same build with -XX:CompileThresholdScaling=0.5 (the JIT compiles at half the invocation counts), RATE, N pairs
cd "$(dirname "$0")/../.."
export LOADGO=/tmp/keel-peers/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
out=$1; RATE=$2; N=$3; mkdir -p $out
for r in $(seq $N); do base=$((20000 + RANDOM % 20000))
  python3 /tmp/keel-peers/compare.py bcast "-n 2000 -stalled 100 -rate $RATE -dur 10s -size 512" \
    "keel=$base=./keel serve --ws-port $base --tcp-port 0 --admin-port 0 $LIM" \
    "keel-cts05=$((base+1))=env KEEL_JAVA_OPTS=-XX:CompileThresholdScaling=0.5 ./keel serve --ws-port $((base+1)) --tcp-port 0 --admin-port 0 $LIM" \
    > $out/r$r-$RATE.jsonl 2>$out/r$r-$RATE.err
  echo "$(date +%T) pair $r done"
done
