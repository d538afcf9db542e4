#!/bin/bash
# round 8: 5 rounds x rates 30,75 over keel, keel-before, uws, centrifuge, nats (compare.py as is)
cd "$(dirname "$0")/../.."
export LOADGO=/tmp/keel-peers/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
out=${1:-/tmp/r8}; mkdir -p $out
for r in 1 2 3 4 5; do for RATE in 30 75; do base=$((20000 + RANDOM % 20000))
  python3 /tmp/keel-peers/compare.py bcast "-n 2000 -stalled 100 -rate $RATE -dur 10s -size 512" \
    "keel=$base=./keel serve --ws-port $base --tcp-port 0 --admin-port 0 $LIM" \
    "keel-before=$((base+1))=/tmp/wt-before/keel serve --ws-port $((base+1)) --tcp-port 0 --admin-port 0 $LIM" \
    "uws=$((base+2))=/tmp/keel-peers/servers/uws/run.sh $((base+2))" \
    "go-centrifuge@centrifuge=$((base+3))=/tmp/keel-peers/bin/go-centrifuge -addr 127.0.0.1:$((base+3))" \
    "nats@nats=$((base+4))=/tmp/keel-peers/servers/nats/run.sh $((base+4))" > $out/r$r-$RATE.jsonl 2>$out/r$r-$RATE.err
  echo "$(date +%T) round $r rate $RATE done"
done; done
