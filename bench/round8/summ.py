import json,glob,statistics,sys,collections
d=collections.defaultdict(lambda: collections.defaultdict(list))
pat=sys.argv[1] if len(sys.argv)>1 else '/tmp/r8'
for f in sorted(glob.glob(pat+'/r*-*.jsonl')):
    rate=f.split('-')[-1].split('.')[0]
    for l in open(f):
        try: x=json.loads(l)
        except: continue
        s=x.get('server'); 
        if 'p99_us' not in x: print('bad',f,l[:200]); continue
        d[(s,rate)]['p50'].append(x['p50_us']/1000); d[(s,rate)]['p99'].append(x['p99_us']/1000)
        d[(s,rate)]['cpu'].append(x.get('server_us_per_delivery',0)); d[(s,rate)]['peak'].append(x.get('server_peak_rss_mib',0))
        d[(s,rate)]['gaps'].append(x.get('seq_gaps',0)); d[(s,rate)]['del'].append(x.get('delivered'))
for (s,rate),v in sorted(d.items(), key=lambda k:(k[0][1],k[0][0])):
    m=lambda a: statistics.median(a)
    print(f"{rate:>3} {s:14} n={len(v['p99'])} p50 {m(v['p50']):.1f} ({min(v['p50']):.1f}-{max(v['p50']):.1f}) p99 {m(v['p99']):.1f} ({min(v['p99']):.1f}-{max(v['p99']):.1f}) cpu {m(v['cpu']):.2f} peak {m(v['peak']):.0f} gaps {sum(v['gaps'])} del {set(v['del'])}")
    print("      p99s:", [round(x,1) for x in v['p99']])
