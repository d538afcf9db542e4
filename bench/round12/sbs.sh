#!/bin/bash
# Round 12's side-by-side runs: ROUNDS alternating rounds of the harness's 60,000/s and 150,000/s
# broadcasts (Keel and every peer in each), JSON lines appended to OUT/bcast{30,75}.jsonl.
# usage: bench/round12/sbs.sh ROUNDS OUT   (from the project's root, after ../shared/peers/setup.sh);
# python3 bench/round10/summ.py OUT summarises them.
cd "$(dirname "$0")/../.."
rounds=$1 out=$2; mkdir -p "$out"
for r in $(seq "$rounds"); do
  timeout 900 /tmp/keel-peers/side-by-side.sh bcast 30 >> "$out/bcast30.jsonl" 2>> "$out/err.log"
  timeout 900 /tmp/keel-peers/side-by-side.sh bcast 75 >> "$out/bcast75.jsonl" 2>> "$out/err.log"
  echo "round $r done $(date -u +%H:%M:%S)" >> "$out/progress.log"
done
