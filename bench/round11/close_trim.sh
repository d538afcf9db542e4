#!/usr/bin/env bash
# RSS after a mass disconnect that follows the connects' own trim: bench/round11/close_trim.sh DIR PORT
# (DIR: a checkout with ./keel; peers set up for the loader; nothing else running)
cd "$1"; port=$2
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
taskset -c 0 ./keel serve --ws-port $port --tcp-port 0 --admin-port $((port+1)) $LIM > /tmp/closetrim-$port.log 2>&1 &
pid=$!
until curl -sf localhost:$port/healthz >/dev/null 2>&1; do sleep 0.2; done
jpid=$(for p in $(pgrep -P $pid) $pid; do grep -q java /proc/$p/comm && echo $p; done | head -1)
rss() { jcmd $jpid GC.run >/dev/null; awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$jpid/status; }
trims() { curl -s localhost:$((port+1))/metrics | awk '/^keel_native_heap_trims_total/{print $2}'; }
taskset -c 1 /tmp/keel-peers/bin/loadgo -mode idle -n 10000 -hold 20s -url ws://127.0.0.1:$port/ws -topic idle > /dev/null &
lp=$!
until [ "$(curl -s localhost:$((port+1))/metrics | awk '/^keel_connections\{transport="ws"/{print int($2)}')" = 10000 ]; do sleep 0.2; done
sleep 15  # the connects' trim: 5-10 s after the burst at the default interval
held=$(rss); ht=$(trims)
wait $lp
sleep 15  # a trim after the closes, if one comes: 5-10 s
after=$(rss); at=$(trims)
echo "$1 held_rss_mib=$held trims=$ht after_close_rss_mib=$after trims=$at"
kill $pid; wait $pid 2>/dev/null
