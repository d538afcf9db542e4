#!/bin/bash
# LeakIT under CPU contention (two busy loops at the same priority for each run), N runs; results in $OUT (default /tmp)
# usage: OUT=/tmp bench/round14/leakloop.sh N
cd "$(dirname "$0")/../.."
N=${1:-4}
for i in $(seq 1 $N); do
  ( end=$((SECONDS+90)); while [ $SECONDS -lt $end ]; do :; done ) & h1=$!
  ( end=$((SECONDS+90)); while [ $SECONDS -lt $end ]; do :; done ) & h2=$!
  mvn -q -o -pl server verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test='LeakIT' > ${OUT:-/tmp}/leakloop.$i.log 2>&1
  echo "run $i rc=$?" >> ${OUT:-/tmp}/leakloop.out
  kill $h1 $h2 2>/dev/null; wait $h1 $h2 2>/dev/null
  cp server/target/failsafe-reports/dev.keel.it.LeakIT.txt ${OUT:-/tmp}/leakloop.$i.txt 2>/dev/null
done
