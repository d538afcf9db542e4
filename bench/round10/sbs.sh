#!/bin/bash
# Round 10's side-by-side runs: ROUNDS alternating rounds of the harness's idle, 60,000/s and 150,000/s
# broadcasts (every server in each), JSON lines appended to OUT/{idle,bcast30,bcast75}.jsonl.
# usage: bench/round10/sbs.sh ROUNDS OUT      (from the project's root, after ../shared/peers/setup.sh)
cd "$(dirname "$0")/../.."
rounds=$1 out=$2; mkdir -p "$out"
for r in $(seq "$rounds"); do
  timeout 900 /tmp/keel-peers/side-by-side.sh idle >> "$out/idle.jsonl" 2>> "$out/err.log"
  timeout 900 /tmp/keel-peers/side-by-side.sh bcast 30 >> "$out/bcast30.jsonl" 2>> "$out/err.log"
  timeout 900 /tmp/keel-peers/side-by-side.sh bcast 75 >> "$out/bcast75.jsonl" 2>> "$out/err.log"
  echo "round $r done $(date -u +%H:%M:%S)" >> "$out/progress.log"
done
