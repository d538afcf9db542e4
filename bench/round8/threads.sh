#!/bin/bash
# usage: threads.sh KEEL_DIR [RATE]: per-thread-group CPU of the server during one bcast loader run
DIR=$1; RATE=${2:-30}
cd "$(dirname "$0")/../.."
P=$((30000 + RANDOM % 5000))
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
taskset -c 0 $DIR/keel serve --ws-port $P --tcp-port 0 --admin-port 0 $LIM > /tmp/thr-serve.log 2>&1 &
for _ in $(seq 200); do curl -sf -o /dev/null "localhost:$P/healthz" && break; sleep 0.1; done
sleep 1
PID=$(pgrep -f "keel-server.jar serve --ws-port $P" | head -1)
snap() { for t in /proc/$PID/task/*; do n=$(cat $t/comm); s=($(sed 's/.*) //' $t/stat)); echo "$n ${s[11]} ${s[12]}"; done; }
snap > /tmp/thr-a
taskset -c 1 /tmp/keel-peers/bin/loadgo -mode broadcast -url ws://127.0.0.1:$P/ws -n 2000 -stalled 100 -rate $RATE -dur 10s -size 512 2>/dev/null | tail -1 > /tmp/thr-run.json
snap > /tmp/thr-b
kill $PID
python3 - <<'PY'
import collections,json,re
def load(f):
    d=collections.Counter()
    for l in open(f):
        n,u,s=l.rsplit(' ',2); n=re.sub(r'[-#]?\d+$','',n.strip()); d[n]+=int(u)+int(s)
    return d
a=load('/tmp/thr-a'); b=load('/tmp/thr-b')
run=json.load(open('/tmp/thr-run.json'))
tot=sum(b.values())-sum(a.values())
print("p99 %.1f ms, server ticks %d:"%(run['p99_us']/1000, tot), ", ".join("%s %d"%(k,b[k]-a[k]) for k in sorted(b,key=lambda k:-(b[k]-a[k])) if b[k]-a[k]>0))
PY
