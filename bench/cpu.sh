#!/bin/bash
# CPU of the benchmark server, per second, while a bench/run.sh run goes on: the figures behind the
# "% of the core at N deliveries/s" lines of docs/benchmarks.md (R2.3).
#
#   bench/cpu.sh OUT &   # then start bench/run.sh; it stops when the server on port 28080 is gone
#
# Each line: unix time, then the server's user and system ticks (1/100 s) in that second. The
# machine-wide figures of R2.6 are the first line of /proc/stat (user, nice, system, idle, iowait,
# irq, softirq) read before and after a run: busy = user + system + softirq.
set -u
out=$1; : > "$out"; pu=0; ps=0; seen=0
while true; do
  pid=$(pgrep -f "keel-server.jar serve --ws-port 28080" | head -1)
  if [ -z "$pid" ]; then [ $seen = 1 ] && break; sleep 0.5; continue; fi
  if [ $seen = 0 ]; then read -r pu ps < <(awk '{print $14, $15}' "/proc/$pid/stat"); seen=1; sleep 1; continue; fi
  read -r u s < <(awk '{print $14, $15}' "/proc/$pid/stat" 2>/dev/null) || break
  echo "$(date +%s) $((u - pu)) $((s - ps))" >> "$out"
  pu=$u; ps=$s
  sleep 1
done
