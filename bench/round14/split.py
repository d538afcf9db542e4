#!/usr/bin/env python3
# The event loop's perf samples during a broadcast, split into system calls (send, write, writev,
# epoll_wait) and user space (Keel, Netty, the JVM), as microseconds per delivery at 997 Hz. Only the
# 10 consecutive seconds with the most samples count (the broadcast; the connects before it are not).
# usage: python3 bench/round14/split.py [--deliveries N] PERF_SCRIPT_TXT...
import sys, re, collections
args = sys.argv[1:]
deliveries = 600000
if args and args[0] == '--deliveries':
    deliveries = int(args[1]); args = args[2:]
for f in args:
    samples = []
    for s in open(f).read().split('\n\n'):
        lines = s.strip().split('\n')
        if len(lines) < 2:
            continue
        m = re.search(r'\s(\d+)\.\d+:', lines[0])
        if not m:
            continue
        body = '\n'.join(lines[1:])
        samples.append((int(m.group(1)), bool(re.search(r'entry_SYSCALL|__send|libc_write|writev|epoll_wait', body))))
    per = collections.Counter(t for t, _ in samples)
    first = max(range(min(per), max(per) + 1), key=lambda t: sum(per[t + i] for i in range(10)))
    win = [sc for t, sc in samples if first <= t < first + 10]
    n = len(win); sc = sum(win); user = n - sc
    us = lambda k: k / 997 / deliveries * 1e6
    print(f"{f}: window {n} samples, syscalls {100*sc/n:.1f}% = {us(sc):.2f} us/delivery, user {100*user/n:.1f}% = {us(user):.2f} us/delivery, loop {us(n):.2f}")
