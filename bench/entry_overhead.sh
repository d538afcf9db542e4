#!/usr/bin/env bash
# Heap per queued message (docs/memory.md): 100 stalled subscribers fill their queues under drop-oldest;
# the class histogram against the queued count. Usage: bench/entry_overhead.sh (from the project root).
cd "$(dirname "$0")/.."
./keel serve --ws-port 38201 --tcp-port 38202 --admin-port 38203 --connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000 --socket-send-buffer 16KiB --slow-consumer-policy drop-oldest > /tmp/eo-serve.log 2>&1 &
for i in $(seq 1 100); do curl -sf 127.0.0.1:38201/healthz >/dev/null && break; sleep 0.3; done
pid=$(pgrep -f "keel-server.jar serve --ws-port 38201")
./keel load broadcast --ws-port 38201 --tcp-port 38202 --admin-url http://127.0.0.1:38203 -n 1 --stalled 100 -r 400 -b 1024 --duration 20s --warmup-time 1s --quiet > /tmp/eo-load.log 2>&1 &
lp=$!
sleep 9
curl -s '127.0.0.1:38203/debug/connections?sort=queued&limit=10000' > /tmp/eo-conns.json
jcmd $pid GC.class_histogram > /tmp/eo-hist.txt
python3 - <<'PY'
import json,re
c=json.load(open('/tmp/eo-conns.json'))['connections']
msgs=sum(x['queuedMessages'] for x in c); qb=sum(x['queuedBytes'] for x in c)
print('connections',len(c),'queued messages',msgs,'queued bytes',qb)
for line in open('/tmp/eo-hist.txt'):
    if re.search(r'PooledDuplicatedByteBuf|PooledSlicedByteBuf|\[Ljava.lang.Object;|ArrayDeque', line):
        f=line.split(); print(line.rstrip()); 
        if 'PooledDuplicatedByteBuf' in line: print('bytes per queued message (duplicates):', int(f[2])/max(msgs,1))
PY
kill $lp 2>/dev/null; kill $pid; wait 2>/dev/null
