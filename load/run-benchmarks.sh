#!/usr/bin/env bash
# The runs behind docs/benchmarks.md:  load/run-benchmarks.sh idle | ramp | all | p99 RATE | churn DURATION
# Server pinned to core 0 (a fresh one per run), ./keel load pinned to core 1; CPU from /proc and /usr/bin/time.
set -u
cd "$(dirname "$0")/.."
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/*/bin/java | tail -1)}
JAR=${KEEL_SERVER_JAR:-server/target/keel-server.jar}   # docs/benchmarks.md: main@7296993
OUT=${OUT:-keel-load-reports/bench}; mkdir -p $OUT
ADMIN="--ws-port 28080 --tcp-port 29090 --admin-url http://127.0.0.1:29100"
ticks() { awk '{print $14+$15}' /proc/$1/stat 2>/dev/null || echo 0; }
serve() {
  taskset -c 0 $JAVA -jar $JAR serve --ws-port 28080 --tcp-port 29090 --admin-port 29100 --admin-allow-gc --max-connections-per-ip 100000 --connect-rate-per-ip 100000 --connect-burst-per-ip 100000 "$@" > $OUT/server.log 2>&1 &
  SP=$!
  local j; for j in $(seq 1 100); do curl -s -m 1 127.0.0.1:29100/debug/memory >/dev/null 2>&1 && break; sleep 0.2; done
}
stop() { kill -TERM $SP; local j; for j in $(seq 1 100); do kill -0 $SP 2>/dev/null || break; sleep 0.2; done; kill -KILL $SP 2>/dev/null; }
run() { # name, args...
  local name=$1; shift
  local t0=$(ticks $SP) s0=$(date +%s.%N)
  echo "== $name: taskset -c 1 ./keel load $*" | tee -a $OUT/log.txt
  uptime | tee -a $OUT/log.txt
  /usr/bin/time -f "tool cpu: user %U s, sys %S s, wall %e s" taskset -c 1 ./keel load "$@" $ADMIN --quiet \
      --json $OUT/$name.json --html $OUT/$name.html > $OUT/$name.txt 2>&1
  echo "exit $?" >> $OUT/$name.txt
  local t1=$(ticks $SP) s1=$(date +%s.%N)
  echo "server cpu: $(echo "($t1-$t0)/100" | bc -l | cut -c1-6) s over $(echo "$s1-$s0" | bc -l | cut -c1-6) s wall" >> $OUT/$name.txt
  tail -4 $OUT/$name.txt | tee -a $OUT/log.txt
}
phase=${1:-all}
if [ $phase = idle ] || [ $phase = all ]; then
  for i in 1 2 3; do
    serve
    if [ $i = 1 ]; then (sleep 24; "$(dirname "$JAVA")/jcmd" $SP GC.class_histogram > $OUT/idle-histogram.txt 2>&1) & fi
    run idle-ws-$i idle -n 10000 --duration 20s; stop
  done
fi
if [ $phase = ramp ] || [ $phase = all ]; then
  for i in 1 2 3; do serve; run ramp-$i ramp -n 2000 --stalled 100 -b 512 --start-rate 20 --step-factor 1.25 --step-duration 8s --max-steps 14 --warmup-time 20s; stop; done
fi
if [ $phase = p99 ]; then
  R=${2:?rate}
  for i in 1 2 3; do
    serve --socket-send-buffer 64KiB; run p99-stalled-$i broadcast -n 2000 --stalled 100 -r $R -b 512 --duration 20s --warmup-time 15s; stop
    serve --socket-send-buffer 64KiB; run p99-clean-$i broadcast -n 2000 --stalled 0 -r $R -b 512 --duration 20s --warmup-time 15s; stop
  done
fi
if [ $phase = churn ]; then
  D=${2:-5m}
  serve --socket-send-buffer 64KiB; run churn churn -n 5000 --duration $D; stop
fi
