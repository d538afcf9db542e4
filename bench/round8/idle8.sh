#!/bin/bash
cd "$(dirname "$0")/../.."
export LOADGO=/tmp/keel-peers/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
for r in 1 2 3; do base=$((20000 + RANDOM % 20000))
  timeout 600 python3 /tmp/keel-peers/compare.py idle 10000 \
    "keel=$base=./keel serve --ws-port $base --tcp-port 0 --admin-port 0 $LIM" \
    "keel-before=$((base+1))=/tmp/wt-before/keel serve --ws-port $((base+1)) --tcp-port 0 --admin-port 0 $LIM"
done
