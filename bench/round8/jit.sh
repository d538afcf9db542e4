#!/bin/bash
DIR=$1; RATE=${2:-30}
cd "$(dirname "$0")/../.."
P=$((30000 + RANDOM % 5000))
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
rm -f /tmp/jit.log
KEEL_JAVA_OPTS="-XX:+PrintCompilation" taskset -c 0 $DIR/keel serve --ws-port $P --tcp-port 0 --admin-port 0 $LIM >> /tmp/jit.log 2>&1 &
for _ in $(seq 200); do curl -sf -o /dev/null "localhost:$P/healthz" && break; sleep 0.1; done
sleep 1
PID=$(pgrep -f "keel-server.jar serve --ws-port $P" | head -1)
echo "MARK-CONNECT" >> /tmp/jit.log
taskset -c 1 /tmp/keel-peers/bin/loadgo -mode broadcast -url ws://127.0.0.1:$P/ws -n 2000 -stalled 100 -rate $RATE -dur 10s -size 512 2>/dev/null | tail -1
echo "MARK-END" >> /tmp/jit.log
kill $PID
