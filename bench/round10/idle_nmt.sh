#!/bin/bash
# Where an idle connection's RSS goes, beyond its heap: NMT's diff around 10,000 idle subscribed
# connections (the harness's loader), after a GC each side, with /debug/memory and RSS beside it.
# usage: bench/round10/idle_nmt.sh [N] ["EXTRA KEEL_JAVA_OPTS"]   (from the project's root, peers set up)
cd "$(dirname "$0")/../.."
n=${1:-10000}
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
KEEL_JAVA_OPTS="-XX:NativeMemoryTracking=summary ${2:-}" taskset -c 0 ./keel serve --ws-port 38181 --tcp-port off \
  --admin-port 39100 --admin-allow-gc $LIM > /tmp/idle_nmt.log 2>&1 &
for i in $(seq 90); do curl -sf localhost:38181/healthz >/dev/null && break; sleep 1; done
PID=$(pgrep -f "keel-server.jar.*ws-port 38181" | head -1)
L=/tmp/keel-peers/bin/loadgo
$L -mode idle -n 200 -hold 2s -url ws://127.0.0.1:38181/ws -topic idle > /dev/null 2>&1
sleep 2
curl -sf -X POST localhost:39100/debug/gc > /dev/null; sleep 2
$J/jcmd $PID VM.native_memory baseline > /dev/null
rss0=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
curl -sf localhost:39100/debug/memory > /tmp/idle_nmt.mem0.json
coproc HOLD { taskset -c 1 $L -mode idle -n "$n" -hold 600s -url ws://127.0.0.1:38181/ws -topic idle; }
read -r ready <&"${HOLD[0]}"
curl -sf -X POST localhost:39100/debug/gc > /dev/null; sleep 2
rss1=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
curl -sf localhost:39100/debug/memory > /tmp/idle_nmt.mem1.json
echo "$ready; RSS $rss0 -> $rss1 KiB: $(( (rss1 - rss0) * 1000 / n )) B per connection (x1000/1024 for KiB)"
$J/jcmd $PID VM.native_memory summary.diff | grep -E "^-|Total|committed=.*[+-]" | head -60
# The same, once the connect burst is SETTLE seconds behind (the server's native-heap-trim, the JIT's arenas).
sleep "${SETTLE:-20}"; curl -sf -X POST localhost:39100/debug/gc > /dev/null; sleep 2
rss2=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
echo "after ${SETTLE:-20} s more: RSS $rss0 -> $rss2 KiB: $(( (rss2 - rss0) * 1000 / n )) B per connection"
$J/jcmd $PID VM.native_memory summary.diff | grep -E "^Total|^-.*committed=.*[+-]"
python3 - <<'PY'
import json
a=json.load(open('/tmp/idle_nmt.mem0.json')); b=json.load(open('/tmp/idle_nmt.mem1.json'))
def flat(d,p=''):
    for k,v in d.items():
        if isinstance(v,dict): yield from flat(v,p+k+'.')
        elif isinstance(v,(int,float)): yield p+k,v
fa=dict(flat(a)); fb=dict(flat(b))
for k in fb:
    if k in fa and fa[k]!=fb[k]: print(f"  /debug/memory {k}: {fa[k]} -> {fb[k]}")
PY
kill "$HOLD_PID" 2>/dev/null; kill $PID; for i in $(seq 30); do kill -0 $PID 2>/dev/null || break; sleep 0.5; done
