import json,glob,statistics,collections
runs=collections.defaultdict(list); cpu=collections.defaultdict(list); p50=collections.defaultdict(list)
pairs=[]
for d in ['/tmp/r8','/tmp/ab1','/tmp/ab2','/tmp/ab3','/tmp/ab4']:
    for f in sorted(glob.glob(d+'/r*-30.jsonl')):
        got={}
        for l in open(f):
            try: x=json.loads(l)
            except: continue
            if 'p99_us' not in x: continue
            s=x['server']; got[s]=x['p99_us']/1000
            runs[s].append(x['p99_us']/1000); cpu[s].append(x['server_us_per_delivery']); p50[s].append(x['p50_us']/1000)
        if 'keel' in got and 'keel-before' in got: pairs.append((got['keel'],got['keel-before']))
for s in runs:
    v=sorted(runs[s]); n=len(v)
    print(f"{s:14} n={n} p99 median {statistics.median(v):.1f} (q1 {v[n//4]:.1f}, q3 {v[3*n//4]:.1f}) p50 median {statistics.median(p50[s]):.1f} cpu median {statistics.median(cpu[s]):.2f}")
print("pairs keel vs before:", len(pairs), "keel lower in", sum(1 for a,b in pairs if a<b))
