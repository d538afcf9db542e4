#!/usr/bin/env python3
"""The worst messages of a bench/stall_trace.sh run, each with what ran on core 0 while it was in flight.

Usage: bench/stall_windows.py TAG RATE [N]   (N worst messages, default 5; needs perf for `perf sched timehist`)
Prints the run's p50/p99, the per-second median/max of the last subscriber's latency, and for each of the
N worst messages (at least 8 messages apart) the milliseconds each thread ran on core 0 between the
message's publish and its last delivery."""
import collections, json, subprocess, sys

tag, rate = sys.argv[1], int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
lines = open('/tmp/%s.lat.txt' % tag).read().splitlines()
start = int(lines[0].split()[1]) / 1e9  # the loader's first publish, wall clock
rows = [tuple(map(int, l.split())) for l in lines if not l.startswith('#')]  # seq, first us, last us
q = lambda a, p: sorted(a)[int(p * (len(a) - 1))]
run = json.load(open('/tmp/%s.run.json' % tag))
print('run p50 %.1f ms, p99 %.1f ms' % (run['p50_us'] / 1000, run['p99_us'] / 1000))
print('last subscriber per second (median/max ms): ' + ' '.join(
    '%.0f/%.0f' % (q([r[2] / 1000 for r in rows if s <= r[0] / rate < s + 1], .5), max(r[2] / 1000 for r in rows if s <= r[0] / rate < s + 1))
    for s in range(10) if any(s <= r[0] / rate < s + 1 for r in rows)))
off = float(open('/tmp/%s.off' % tag).read())
hist = subprocess.run(['perf', 'sched', 'timehist', '-i', '/tmp/%s.sched.data' % tag], capture_output=True, text=True).stdout
recs = []  # (switch-out time, thread, ms it ran before)
for l in hist.splitlines()[3:]:
    p = l.split()
    try:
        recs.append((float(p[0]), ' '.join(p[2:-3]).split('[')[0], float(p[-1])))
    except (ValueError, IndexError):
        continue
picked = []
for seq, first, last in sorted(rows, key=lambda r: -r[2]):
    if any(abs(seq - x) < 8 for x in picked):
        continue
    picked.append(seq)
    if len(picked) > n:
        break
    t0 = start + seq / rate - off
    t1 = t0 + last / 1e6
    share = collections.Counter()
    for t, name, ran in recs:
        overlap = min(t, t1) - max(t - ran / 1000, t0)
        if overlap > 0:
            share[name] += overlap * 1000
    print('message %d (+%.2f s): first %.0f ms, last %.0f ms; core 0 meanwhile: %s' % (
        seq, seq / rate, first / 1000, last / 1000, ', '.join('%s %.0f' % kv for kv in share.most_common(6))))
