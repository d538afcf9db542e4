#!/bin/bash
# usage: base.sh "JAVA OPTS" [serve args]: RSS after /healthz + 5 s
cd "$(dirname "$0")/../.."
opts="$1"; shift
KEEL_JAVA_OPTS="$opts" ./keel serve --ws-port 38181 --tcp-port off --admin-port 39100 --admin-allow-gc "$@" > /tmp/base.log 2>&1 &
for i in $(seq 90); do curl -sf localhost:38181/healthz >/dev/null && break; sleep 1; done
sleep 5
PID=$(pgrep -f "temurin-25.*ws-port 38181" | head -1)
rss=$(grep VmRSS /proc/$PID/status | awk '{print $2}')
gc=$(awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; range=$1} /^Rss:/{print $2, range, name}' /proc/$PID/smaps | sort -rn | head -1)
echo "opts='$opts' args='$*' rss_kib=$rss biggest: $gc"
kill $PID; for i in $(seq 30); do kill -0 $PID 2>/dev/null || break; sleep 0.5; done
