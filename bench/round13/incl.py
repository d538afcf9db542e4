#!/usr/bin/env python3
# Inclusive share of each frame in perf script output (each sample counts once per frame it contains).
# usage: python3 bench/round13/incl.py PERF_SCRIPT_TXT [REGEX]
import sys,re,collections
txt=open(sys.argv[1]).read().split('\n\n')
n=0; inc=collections.Counter(); leaf=collections.Counter()
for s in txt:
    lines=s.strip().split('\n')
    if len(lines)<2: continue
    n+=1
    syms=[]
    for l in lines[1:]:
        m=re.match(r'\s*[0-9a-f]+ (.*) \((.*)\)$',l.strip())
        if not m: continue
        sym=re.sub(r'\+0x[0-9a-f]+$','',m.group(1))
        syms.append(sym)
    for x in set(syms): inc[x]+=1
pat=sys.argv[2] if len(sys.argv)>2 else None
print("samples",n)
for k,v in inc.most_common(400):
    if pat and not re.search(pat,k): continue
    print("%5.1f%% %s"%(100*v/n,k[:150]))
