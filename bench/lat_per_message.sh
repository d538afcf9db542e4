#!/usr/bin/env bash
# Where a broadcast's tail goes, message by message (docs/benchmarks.md, round 5): one ./keel serve on
# core 0, the side-by-side loader patched to record, per message, the first and the last fast
# subscriber's latency (bench/loadgo-seqlat.patch) on core 1; a first run to warm the JVM up, then the
# measured run. Prints p50/p99 of the first subscriber, the last one and the spread between them, and
# the worst messages with their time into the run (line them up with -Xlog:gc,safepoint:file=F:time in
# KEEL_JAVA_OPTS). Needs ../shared/peers/setup.sh once (and Go, which it installs).
# Usage: bench/lat_per_message.sh [RATE msg/s, default 30 = 60,000 deliveries/s]   (KEEL_ARGS, KEEL_JAVA_OPTS pass on)
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-30}
SRC=${KEEL_PEERS:-/tmp/keel-peers}/loadgo
BIN=/tmp/keel-loadgo-seqlat/loadgo
if [ ! -x "$BIN" ]; then
  rm -rf /tmp/keel-loadgo-seqlat && cp -r "$SRC" /tmp/keel-loadgo-seqlat
  (cd /tmp/keel-loadgo-seqlat && patch -s -p1 < "$OLDPWD/bench/loadgo-seqlat.patch" \
    && GO111MODULE=off GOPATH=/usr/share/gocode go build -o loadgo .)
fi
PORT=$((30000 + RANDOM % 5000))
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
taskset -c 0 ./keel serve --ws-port $PORT --tcp-port 0 --admin-port 0 $LIM ${KEEL_ARGS:-} > /tmp/lat-serve.log 2>&1 &
for _ in $(seq 100); do curl -s -o /dev/null "localhost:$PORT/healthz" && break; sleep 0.2; done
L="-mode broadcast -url ws://127.0.0.1:$PORT/ws -n 2000 -stalled 100 -rate $RATE -dur 10s -size 512"
taskset -c 1 "$BIN" $L > /dev/null 2>&1
LATFILE=/tmp/lat.txt taskset -c 1 "$BIN" $L 2>/dev/null | tail -1 > /tmp/lat-run.json
pkill -f "keel-server.jar serve --ws-port $PORT" || true
python3 - "$RATE" <<'PY'
import json, sys
rate = int(sys.argv[1])
run = json.load(open('/tmp/lat-run.json'))
lines = open('/tmp/lat.txt').read().splitlines()
rows = [tuple(map(int, l.split())) for l in lines if not l.startswith('#')]
q = lambda a, p: sorted(a)[int(p * (len(a) - 1))]
first = [r[1] / 1000 for r in rows]; last = [r[2] / 1000 for r in rows]; spread = [(r[2] - r[1]) / 1000 for r in rows]
print("run p50 %.1f ms, p99 %.1f ms" % (run['p50_us'] / 1000, run['p99_us'] / 1000))
print("first subscriber p50 %.1f p99 %.1f | last subscriber p50 %.1f p99 %.1f | spread p50 %.1f p99 %.1f (ms)"
      % (q(first, .5), q(first, .99), q(last, .5), q(last, .99), q(spread, .5), q(spread, .99)))
for s, f, m in sorted(rows, key=lambda r: -r[1])[:5]:
    print("  worst: message %d at %.2f s, first %.1f ms, last %.1f ms" % (s, s / rate, f / 1000, m / 1000))
PY
