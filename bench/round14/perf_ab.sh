#!/bin/bash
# Loop samples per delivery, this tree (keel) against a before tree, alternating; perf on core 0.
# usage: bench/round14/perf_ab.sh OUT ROUNDS BEFORE_TREE  (then: perf script -i OUT/ARM-N.data --comm keel-io-3-1 > OUT/ARM-N.txt; python3 bench/round14/split.py OUT/*.txt)
cd "$(dirname "$0")/../.."
OUT=$1 n=$2 before=$3; mkdir -p "$OUT"
LIM="--connect-rate-per-ip 100000 --connect-burst-per-ip 100000 --max-connections-per-ip 100000"
OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer"
for r in $(seq "$n"); do
  for arm in keel before; do
    tree=.; [ $arm = before ] && tree=$before
    port=$((31000 + RANDOM % 5000))
    perf record -q -o $OUT/$arm-$r.data -C 0 -g -F 997 -- sleep 40 > /dev/null 2>&1 &
    pp=$!
    LOADGO=/tmp/keel-peers/bin/loadgo timeout 120 python3 /tmp/keel-peers/compare.py bcast \
      "-n 2000 -stalled 100 -rate 30 -dur 10s -size 512" \
      "$arm=$port=env KEEL_JAVA_OPTS=$(echo $OPTS | sed 's/ /\\ /g') $tree/keel serve --ws-port $port --tcp-port 0 --admin-port 0 $LIM" \
      > $OUT/$arm-$r.jsonl 2> $OUT/$arm-$r.err
    wait $pp
  done
done
