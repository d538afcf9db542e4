#!/usr/bin/env python3
# bench/round10/rates.sh's output, per rate and server: median p99 (range), losses, CPU share.
# usage: python3 bench/round10/rates_summ.py OUT
import glob, json, statistics, sys, collections
rows = collections.defaultdict(list)
for f in glob.glob(sys.argv[1] + "/rate-*.jsonl"):
    for line in open(f):
        try:
            x = json.loads(line)
        except ValueError:
            continue
        rows[(x.get("rate"), x["server"])].append(x)
for (rate, s), xs in sorted(rows.items(), key=lambda k: (k[0][0] or 0, k[0][1])):
    ok = [x for x in xs if "p99_us" in x]
    if not ok:
        print(rate, s, "no result"); continue
    p99 = [x["p99_us"] / 1000 for x in ok]; p50 = [x["p50_us"] / 1000 for x in ok]
    lost = [x["expected"] - x["delivered"] for x in ok]; gaps = sum(x.get("seq_gaps", 0) for x in ok)
    cpu = [x.get("server_cpu_pct", 0) for x in ok]
    got = [round(x.get("deliveries_per_s", 0) / 1000) for x in ok]
    loader = [x.get("loader_cpu_pct", 0) for x in ok]
    print(f"{rate * 2000:>7}/s {s:14} n={len(ok)} p50 {statistics.median(p50):.1f} p99 {statistics.median(p99):.1f}"
          f" ({min(p99):.1f}-{max(p99):.1f}) lost {lost} gaps {gaps} server cpu {cpu}"
          f" achieved k/s {got} loader cpu {loader} under-100ms {sum(1 for v in p99 if v < 100)}/{len(p99)}")
