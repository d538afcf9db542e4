#!/usr/bin/env bash
# RSS after a load leaves (docs/memory.md, docs/benchmarks.md): ./keel serve with the launcher's defaults,
# a 30 s churn of 500 WebSocket connections, then a 20 s broadcast with 100 stalled subscribers (queues
# filled to their bound), then nothing; RSS is sampled every 5 s for 60 s after the load, with no forced
# GC. Prints one JSON line. Needs the side-by-side loader: ../shared/peers/setup.sh once.
# Usage: bench/rss_return.sh [PORT]   (from the project root; KEEL_ARGS adds serve flags)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-31200}
LOAD=${LOADGO:-/tmp/keel-peers/bin/loadgo}
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
./keel serve --ws-port "$port" --tcp-port 0 --admin-port 0 $LIM ${KEEL_ARGS:-} > /tmp/rss-return-serve.log 2>&1 &
for _ in $(seq 1 200); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.3; done
pid=$(pgrep -f "keel-server.jar serve --ws-port $port")
rss() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status"; }
url="ws://127.0.0.1:$port/ws"
"$LOAD" -mode idle -n 200 -hold 2s -url "$url" -topic warm >/dev/null 2>&1
sleep 10
base=$(rss)
timeout 60 "$LOAD" -mode churn -n 500 -life 3s -dur 30s -url "$url" -topic churn >/dev/null 2>&1 || true
churn_peak=$(rss)
timeout 60 "$LOAD" -mode broadcast -n 500 -stalled 100 -rate 75 -size 512 -dur 20s -url "$url" -topic b >/dev/null 2>&1 || true
load_end=$(rss)
samples=()
within=""
for t in 5 10 15 20 25 30 35 40 45 50 55 60; do
  sleep 5
  r=$(rss)
  samples+=("$t:$r")
  if [ -z "$within" ] && [ $((r * 100)) -le $((base * 125)) ]; then within=$t; fi
done
kill "$pid"; wait 2>/dev/null || true
echo "{\"rss_base_mib\": $base, \"after_churn_mib\": $churn_peak, \"load_end_mib\": $load_end, \"samples_s_mib\": \"${samples[*]}\", \"within_25pct_after_s\": ${within:-null}}"
