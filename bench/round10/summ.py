#!/usr/bin/env python3
# Medians and spreads of bench/round10/sbs.sh's output: python3 bench/round10/summ.py OUT
import json, statistics, sys, collections
out = sys.argv[1]
def rows(name):
    try:
        for line in open(f"{out}/{name}.jsonl"):
            try:
                yield json.loads(line)
            except ValueError:
                pass
    except FileNotFoundError:
        return
med = statistics.median
d = collections.defaultdict(list)
for x in rows("idle"):
    d[x["server"]].append(x)
print("idle, 10,000 subscribed connections: RSS growth per connection (KiB), base RSS after GC (MiB)")
for s, xs in d.items():
    k = [x["kib_per_conn"] for x in xs]; b = [x["rss_base_mib"] for x in xs]
    print(f"  {s:14} n={len(xs)} per-conn {med(k):.2f} ({min(k):.2f}-{max(k):.2f})  base {med(b):.1f} ({min(b):.1f}-{max(b):.1f})"
          f"  connections {sorted(set(x['connections'] for x in xs))}")
for name, label in (("bcast30", "60,000 deliveries/s"), ("bcast75", "150,000 deliveries/s")):
    d = collections.defaultdict(list)
    for x in rows(name):
        d[x["server"]].append(x)
    print(label + ": p50 / p99 ms, median (min-max); server CPU per delivery µs; loader CPU; delivered; seq gaps")
    for s, xs in d.items():
        ok = [x for x in xs if "p99_us" in x]
        if not ok:
            print(f"  {s:14} no result: {[str(x)[:120] for x in xs]}"); continue
        p50 = [x["p50_us"] / 1000 for x in ok]; p99 = [x["p99_us"] / 1000 for x in ok]
        cpu = [x.get("server_us_per_delivery", 0) for x in ok]
        lcpu = [x.get("loader_cpu_pct", x.get("loader_us_per_delivery", 0)) for x in ok]
        dl = [f"{x.get('delivered')}/{x.get('expected')}" for x in ok]
        print(f"  {s:14} n={len(ok)} p50 {med(p50):.1f} ({min(p50):.1f}-{max(p50):.1f}) p99 {med(p99):.1f} ({min(p99):.1f}-{max(p99):.1f})"
              f" cpu {med(cpu):.2f} ({min(cpu):.2f}-{max(cpu):.2f}) loader {med(lcpu)} gaps {sum(x.get('seq_gaps', 0) for x in ok)}"
              f" delivered {sorted(set(dl))}")
        print("        p99s:", [round(v, 1) for v in p99])
