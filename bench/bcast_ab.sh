#!/usr/bin/env bash
# Broadcast before/after (issue 13's benchmark): 2,000 fast + 100 stalled WebSocket subscribers, 512 B,
# one publisher at RATE msg/s (75: 150,000 deliveries/s offered), through the side-by-side harness's
# independent Go loader; servers one after another, pinned to core 0, loader to core 1; ROUNDS rounds.
#   bench/bcast_ab.sh BEFORE_DIR [ROUNDS] [RATE]     (after: this checkout; also with --socket-send-buffer 0)
# Needs ../shared/peers/setup.sh once (/tmp/keel-peers). One JSON line per server and round.
set -euo pipefail
before=$1; rounds=${2:-5}; rate=${3:-75}
here=$(cd "$(dirname "$0")/.." && pwd)
DIR=${KEEL_PEERS:-/tmp/keel-peers}
export LOADGO=$DIR/bin/loadgo
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
cd "$here"
for r in $(seq "$rounds"); do
  base=$(( 20000 + RANDOM % 20000 ))
  python3 "$DIR/compare.py" bcast "-n 2000 -stalled 100 -rate $rate -dur 10s -size 512" \
    "keel-before=$base=$before/keel serve --ws-port $base --tcp-port 0 --admin-port 0 $LIM" \
    "keel-after=$((base + 1))=./keel serve --ws-port $((base + 1)) --tcp-port 0 --admin-port 0 $LIM" \
    "keel-after-sndbuf0=$((base + 2))=./keel serve --ws-port $((base + 2)) --tcp-port 0 --admin-port 0 $LIM --socket-send-buffer 0" \
    "uws=$((base + 3))=$DIR/servers/uws/run.sh $((base + 3))" | sed "s/^/{\"round\":$r,/; s/^{\"round\":$r,{/{\"round\":$r,/"
done
