#!/bin/bash
# Base RSS of a fresh `./keel serve` (launcher defaults), after its warm-up and one GC, alternating arms.
# usage: bench/round10/base_rss.sh ROUNDS "ARM A's KEEL_JAVA_OPTS" "ARM B's KEEL_JAVA_OPTS" ...
# e.g.   bench/round10/base_rss.sh 5 "-Dlogback.configurationFile=bench/round10/logback-as-before.xml" ""
# Prints one line per run: arm, RSS after GC (KiB), application and boot classes loaded.
cd "$(dirname "$0")/../.."
rounds=$1; shift
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin
for r in $(seq "$rounds"); do
  for opts in "$@"; do
    KEEL_JAVA_OPTS="$opts" taskset -c 0 ./keel serve --ws-port 38181 --tcp-port off --admin-port 39100 --admin-allow-gc \
      > /tmp/base_rss.log 2>&1 &
    for i in $(seq 90); do curl -sf localhost:38181/healthz >/dev/null && break; sleep 1; done
    sleep 5 # let the start settle (a benchmark, not a test)
    PID=$(pgrep -f "keel-server.jar.*ws-port 38181" | head -1)
    curl -sf -X POST localhost:39100/debug/gc >/dev/null
    sleep 2
    rss=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
    classes=$($J/jcmd $PID VM.classloader_stats 2>/dev/null | awk '/AppClassLoader/ {a=$4} /<boot class loader>/ {b=$4} END {print a "/" b}')
    echo "arm='$opts' rss_kib=$rss classes_app/boot=$classes"
    kill $PID; for i in $(seq 30); do kill -0 $PID 2>/dev/null || break; sleep 0.5; done
  done
done
