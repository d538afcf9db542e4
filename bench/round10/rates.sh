#!/bin/bash
# The harness's broadcast at rising rates (2,000 fast + 100 stalled, 512 B, 10 s), ROUNDS alternating
# rounds, Keel and the peers that keep up at 150,000/s; JSON lines to OUT/rate-RATE.jsonl.
# usage: bench/round10/rates.sh ROUNDS OUT RATE...   (msg/s; x2,000 = deliveries/s), from the project's root
cd "$(dirname "$0")/../.."
rounds=$1 out=$2; shift 2; mkdir -p "$out"
for r in $(seq "$rounds"); do
  for rate in "$@"; do
    PEERS="uws nats go-centrifuge" timeout 900 /tmp/keel-peers/side-by-side.sh bcast "$rate" \
      >> "$out/rate-$rate.jsonl" 2>> "$out/err.log"
  done
  echo "round $r done $(date -u +%H:%M:%S)" >> "$out/progress.log"
done
